import { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { migrate } from '../src/kernel/db/migrations';
import { BOSS_SCHEMA } from '../src/kernel/jobs/boss';
import { widgetsDdl } from './support/widgets/ddl';

// pg-boss installs its schema at start when missing (a few hundred ms on PGlite): the template has
// it already, so that each test app does not pay for it. Fresh databases still exercise the install.
const BOSS_SQL = PgBoss.getConstructionPlans(BOSS_SCHEMA);

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDump: string;
    pgTemplate: string;
  }
}

/**
 * Migrates one template per run: a PGlite dump that each test file loads (initdb costs seconds),
 * or, with DATABASE_URL, a throwaway PostgreSQL database each test file clones and drops.
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `deskbase_test_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${template}`);
    const target = new URL(url);
    target.pathname = `/${template}`;
    const client = new pg.Client({ connectionString: target.toString() });
    await client.connect();
    await migrate(client);
    for (const statement of widgetsDdl()) await client.query(statement);
    await client.query(BOSS_SQL);
    await client.end();
    project.provide('pgTemplate', template);
    project.provide('pgliteDump', '');
    return async () => {
      const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${template}%`]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'deskbase-test-'));
  const db = await PGlite.create();
  await migrate(db);
  for (const statement of widgetsDdl()) await db.exec(statement);
  await db.exec(BOSS_SQL);
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  const file = path.join(dir, 'template.tar.gz');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteDump', file);
  project.provide('pgTemplate', '');
  return () => rmSync(dir, { recursive: true, force: true });
}
