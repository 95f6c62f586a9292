export interface Migration {
  /** Strictly increasing, never reused. */
  version: number;
  name: string;
  sql: string;
}
