CREATE TABLE widgets (
  id text PRIMARY KEY,
  organization_id text NOT NULL,
  name text NOT NULL,
  color text,
  quantity integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_at timestamp(3) with time zone NOT NULL DEFAULT now(),
  updated_at timestamp(3) with time zone NOT NULL DEFAULT now()
);
CREATE INDEX widgets_org_created_idx ON widgets (organization_id, created_at, id);
CREATE INDEX widgets_org_name_idx ON widgets (organization_id, name, id);
