// Fixture shops in a real PostgreSQL and a real MariaDB, each with a role that may only read them.
import { randomBytes } from 'node:crypto';
import {
  mariadbAdmin,
  postgresAdmin,
  SOURCE_MARIADB_URL,
  SOURCE_POSTGRES_URL,
  withCredentials,
} from '../support/source-databases.ts';

export interface FixtureShop {
  /** The read-only role's URL: what an admin connects. */
  readerUrl: string;
  /** The admin URL (writes the fixture, checks nothing changed). */
  adminUrl: string;
  drop(): Promise<void>;
}

/** 3,163 numbers: a cross join of the table with itself is a scan of 10,004,569 rows. */
const NUMBERS = 3_163;

const tag = () => randomBytes(4).toString('hex');

export async function postgresShop(): Promise<FixtureShop> {
  const id = tag();
  const schema = `shop_${id}`;
  const role = `reader_${id}`;
  await postgresAdmin([
    `CREATE SCHEMA ${schema}`,
    `CREATE TABLE ${schema}.customers (id int PRIMARY KEY, name text NOT NULL, city text NOT NULL)`,
    `CREATE TABLE ${schema}.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES ${schema}.customers(id), total numeric(10,2) NOT NULL)`,
    `CREATE TABLE ${schema}.numbers (n int NOT NULL)`,
    `INSERT INTO ${schema}.customers VALUES (1, 'Ada', 'Lisbon'), (2, 'Grace', 'Porto'), (3, 'Linus', 'Lisbon')`,
    `INSERT INTO ${schema}.orders VALUES (10, 1, 120.50), (11, 1, 30.00), (12, 2, 99.90), (13, 3, 10.00)`,
    `INSERT INTO ${schema}.numbers SELECT g FROM generate_series(1, ${NUMBERS}) g`,
    `CREATE ROLE ${role} LOGIN PASSWORD 'reader-secret'`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`,
    `ALTER ROLE ${role} SET search_path = ${schema}`,
  ]);
  return {
    readerUrl: withCredentials(SOURCE_POSTGRES_URL, role, 'reader-secret'),
    adminUrl: SOURCE_POSTGRES_URL,
    drop: () =>
      postgresAdmin([`DROP SCHEMA ${schema} CASCADE`, `DROP OWNED BY ${role}`, `DROP ROLE ${role}`]),
  };
}

export async function mariadbShop(): Promise<FixtureShop> {
  const id = tag();
  const database = `shop_${id}`;
  const user = `reader_${id}`;
  const numbers = Array.from({ length: NUMBERS }, (_, i) => `(${i + 1})`).join(',');
  await mariadbAdmin([
    `CREATE DATABASE ${database}`,
    `CREATE TABLE ${database}.customers (id int PRIMARY KEY, name varchar(100) NOT NULL, city varchar(100) NOT NULL)`,
    `CREATE TABLE ${database}.orders (id int PRIMARY KEY, customer_id int NOT NULL, total decimal(10,2) NOT NULL)`,
    `CREATE TABLE ${database}.numbers (n int NOT NULL)`,
    `INSERT INTO ${database}.customers VALUES (1, 'Ada', 'Lisbon'), (2, 'Grace', 'Porto'), (3, 'Linus', 'Lisbon')`,
    `INSERT INTO ${database}.orders VALUES (10, 1, 120.50), (11, 1, 30.00), (12, 2, 99.90), (13, 3, 10.00)`,
    `INSERT INTO ${database}.numbers VALUES ${numbers}`,
    `CREATE USER '${user}'@'%' IDENTIFIED BY 'reader-secret'`,
    `GRANT SELECT ON ${database}.* TO '${user}'@'%'`,
  ]);
  return {
    readerUrl: withCredentials(SOURCE_MARIADB_URL, user, 'reader-secret', database),
    adminUrl: withCredentials(
      SOURCE_MARIADB_URL,
      new URL(SOURCE_MARIADB_URL).username,
      new URL(SOURCE_MARIADB_URL).password,
      database,
    ),
    drop: () => mariadbAdmin([`DROP DATABASE ${database}`, `DROP USER '${user}'@'%'`]),
  };
}
