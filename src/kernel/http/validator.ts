import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const common: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

/**
 * Two Ajv instances: bodies are validated strictly (a JSON "5" is not the number 5), while
 * query strings, path params and headers, which are text by nature, are coerced to the schema's
 * types. Unknown properties are never silently dropped: schemas reject them.
 */
export function installValidators(app: FastifyInstance): void {
  const strict = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  const withSharedSchemas = (ajv: Ajv) => {
    for (const schema of Object.values(app.getSchemas()) as { $id?: string }[]) {
      if (schema.$id && !ajv.getSchema(schema.$id)) ajv.addSchema(schema);
    }
    return ajv;
  };
  app.setValidatorCompiler(({ schema, httpPart }) =>
    withSharedSchemas(httpPart === 'body' ? strict : coercing).compile(schema),
  );
}
