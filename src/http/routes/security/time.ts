/** Times as the security routes answer them: ISO 8601 strings, or null for "never". */
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
