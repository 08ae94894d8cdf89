// A pre-check's findings as a list a screen reader reads in order: outcome word first, never colour alone.
import type { Finding } from '../api/enrollment-types.ts';
import { OUTCOME_LABEL } from './labels.ts';

export function Findings(props: { findings: Finding[]; caption?: string }) {
  return (
    <ul class="findings" aria-label={props.caption ?? 'Checks'}>
      {props.findings.map((f) => (
        <li key={`${f.check}-${f.message}`} class={`finding finding-${f.outcome}`}>
          <strong class="finding-outcome">{OUTCOME_LABEL[f.outcome]}</strong> {f.message}
        </li>
      ))}
    </ul>
  );
}
