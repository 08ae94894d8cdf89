// One CSV field (RFC 4180), safe to open in a spreadsheet: a value starting with = + - @ tab or CR gets a leading
// apostrophe so it is never run as a formula (OWASP "CSV injection"). Quoted when it must be, or always if asked.
export function csvField(v: string | number, opts: { alwaysQuote?: boolean } = {}): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return opts.alwaysQuote || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
