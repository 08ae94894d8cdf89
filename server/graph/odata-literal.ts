// OData string literals for $filter: single-quoted, with embedded quotes doubled (OData ABNF, SQUOTE-in-string).
// Used for every id or name we put into a filter, so input can never change the filter's structure.
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
