import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../http/pagination';

export const FileResource = Type.Object(
  {
    id: Type.String({ examples: ['fil_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    filename: Type.String({ description: 'The uploaded name, cleaned of directories and control characters.' }),
    content_type: Type.String({ description: 'Detected from the content (magic bytes), not from the name or the Content-Type sent.' }),
    size: Type.Integer({ description: 'Bytes.' }),
    sha256: Type.String({ description: 'SHA-256 of the content, hex; also the download ETag.' }),
    created_by: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'File', additionalProperties: false },
);
export type FileResource = Static<typeof FileResource>;

export const FilePage = pageSchema(FileResource);

export const FileParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/** Documents the multipart body; the handler streams it, nothing validates it as a whole. */
export const UploadBody = Type.Object(
  { file: Type.String({ format: 'binary', description: 'The file; the part’s filename is kept as its name.' }) },
  { additionalProperties: false },
);

export const ListFilesQuery = listQuerySchema(
  ['created_at'],
  {
    content_type: Type.Optional(Type.String({ minLength: 3, maxLength: 255, description: 'Detected type, matched exactly.' })),
    created_by: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    created_after: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after this instant.' })),
    created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Created strictly before this instant.' })),
  },
  '-created_at',
);
export type ListFilesQuery = Static<typeof ListFilesQuery>;

export const CreateLinkBody = Type.Object(
  { expires_in: Type.Optional(Type.Integer({ minimum: 60, description: 'Seconds the link stays valid; default 3600, at most FILE_LINK_MAX_SECONDS.' })) },
  { additionalProperties: false },
);

export const FileLink = Type.Object(
  {
    url: Type.String({ format: 'uri', description: 'Downloads the file without credentials until it expires.' }),
    expires_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'FileLink', additionalProperties: false },
);

export const DownloadQuery = Type.Object(
  {
    expires: Type.Integer({ minimum: 0, description: 'Unix time (seconds) after which the link no longer works.' }),
    signature: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const bytes = (description: string) => ({ description, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } });

/** Documents a download's answers; the bytes are streamed as stored, never serialized. */
export const DownloadResponses = {
  200: bytes('The file, with its detected Content-Type, Content-Length, the SHA-256 as ETag and Content-Disposition: attachment.'),
  206: bytes('One range of the file (`Range: bytes=…`), with Content-Range.'),
  304: { description: 'If-None-Match named the ETag: the copy the client has is current.', type: 'null' },
};
