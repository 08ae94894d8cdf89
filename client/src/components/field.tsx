// A labelled text input with its hint and error, wired with aria-describedby / aria-invalid.
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  hint?: string;
  error?: string | undefined;
  autoComplete?: string;
  required?: boolean;
  maxLength?: number;
  spellcheck?: boolean;
  width?: 'short' | 'medium' | 'long';
}) {
  const describedBy = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' field-error' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-message" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      <input
        id={props.id}
        name={props.id}
        type="text"
        class={`input-${props.width ?? 'medium'}`}
        value={props.value}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        aria-describedby={describedBy}
        aria-invalid={props.error ? 'true' : undefined}
        autoComplete={props.autoComplete ?? 'off'}
        required={props.required}
        maxLength={props.maxLength}
        spellcheck={props.spellcheck ?? false}
      />
    </div>
  );
}

export function fieldError(err: unknown, field: string): string | undefined {
  const e = err as { fieldErrors?: { field: string; message: string }[] } | null;
  return e?.fieldErrors?.find((f) => f.field === field)?.message;
}
