import { defineConfig } from 'drizzle-kit';

// Migrations are generated from db/schema.ts (and the area files db/schema-*.ts it is split into)
// and committed; `npm start` applies them (db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./db/schema.ts', './db/schema-*.ts'],
  out: './db/migrations',
  casing: 'snake_case',
});
