// An error summary (GOV.UK pattern): a role="alert" box that takes focus, says what went wrong and what to do, and
// links to the fields at fault.
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../api/client.ts';

export interface FieldLinks {
  /** Server field name (e.g. body.username) → id of the input on this page. */
  [field: string]: string;
}

export function ErrorSummary(props: { error: unknown; fields?: FieldLinks; title?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.error) box.current?.focus();
  }, [props.error]);
  if (!props.error) return null;
  const err = props.error;
  const message = err instanceof Error ? err.message : String(err);
  const fieldErrors = err instanceof ApiError ? err.fieldErrors.filter((f) => props.fields?.[f.field]) : [];
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={box} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{props.title ?? 'There is a problem'}</h2>
      <p>{message}</p>
      {fieldErrors.length > 0 ? (
        <ul>
          {fieldErrors.map((f) => (
            <li key={f.field}>
              <a href={`#${props.fields![f.field]}`}>{f.message}</a>
            </li>
          ))}
        </ul>
      ) : null}
      {err instanceof ApiError && err.code !== 'network' ? <p class="error-code">Reference: {err.code}</p> : null}
    </div>
  );
}
