/**
 * A list filter that takes one of a few values, or any: a labelled select whose empty choice
 * ("Any state") means no filter. The screen keeps the value (usually in the URL).
 */
import { Field } from './forms.tsx';

export function ChoiceFilter<T extends string>({
  id,
  label,
  any,
  value,
  options,
  onChange,
}: {
  readonly id?: string;
  readonly label: string;
  /** The empty choice's text ("Any state"). */
  readonly any: string;
  readonly value: string | undefined;
  readonly options: readonly T[];
  /** The chosen value; '' for any. */
  readonly onChange: (value: string) => void;
}) {
  return (
    <Field {...(id !== undefined && { id })} label={label}>
      {(control) => (
        <select {...control} value={value ?? ''} onChange={(event) => onChange(event.target.value)}>
          <option value="">{any}</option>
          {options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
