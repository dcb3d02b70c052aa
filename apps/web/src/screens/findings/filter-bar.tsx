/**
 * The findings list's filter bar: every control labelled; the several-valued filters are
 * checkbox groups (a fieldset with its legend) folded in a disclosure so the bar stays one line
 * or two; text filters apply on Enter or when the field is left (not per keystroke: an unknown
 * asset is a 422, and a half-typed name is one).
 */
import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { joinList, splitList } from '../../ui/url-state.ts';
import type {
  BooleanFilter,
  DateFilter,
  FindingsUrlKey,
  MultiFilter,
  TextFilter,
} from './finding-filters.ts';
import {
  activeFilterCount,
  booleanFilters,
  dateFilters,
  filterKeys,
  multiFilters,
  sortOf,
  sortOptions,
  textFilters,
  toSummaryQuery,
  usesDefaultStatus,
  valueLabel,
} from './finding-filters.ts';

type Values = Readonly<Partial<Record<FindingsUrlKey, string>>>;
type SetValues = (changes: Partial<Record<FindingsUrlKey, string | undefined>>) => void;

export function FilterBar({ values, set }: { readonly values: Values; readonly set: SetValues }) {
  const active = activeFilterCount(values);
  const sortId = useId();
  // Without a status-like filter the API lists the work queue, not "any" status.
  const defaultQueue = usesDefaultStatus(toSummaryQuery(values));
  return (
    <div className="filters findings-filters" role="search" aria-label="Filter findings">
      {(Object.keys(multiFilters) as MultiFilter[]).map((key) => (
        <MultiSelect
          key={key}
          name={key}
          value={values[key]}
          none={key === 'status' && defaultQueue ? 'work queue' : 'any'}
        />
      ))}
      {(Object.keys(booleanFilters) as BooleanFilter[]).map((key) => (
        <YesNo key={key} name={key} value={values[key]} set={set} />
      ))}
      {(Object.keys(textFilters) as TextFilter[]).map((key) => (
        <TextField key={`${key}:${values[key] ?? ''}`} name={key} value={values[key]} set={set} />
      ))}
      {(Object.keys(dateFilters) as DateFilter[]).map((key) => (
        <DateField key={key} name={key} value={values[key]} set={set} />
      ))}
      <EpssField key={`epss:${values.epssMin ?? ''}`} value={values.epssMin} set={set} />
      <div className="field">
        <label htmlFor={sortId}>Sort by</label>
        <select
          id={sortId}
          value={sortOf(values)}
          onChange={(event) =>
            set({ sort: event.target.value === 'priority' ? undefined : event.target.value })
          }
        >
          {sortOptions.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      {active > 0 && (
        <button
          type="button"
          className="button"
          onClick={() => set(Object.fromEntries(filterKeys.map((key) => [key, undefined])))}
        >
          Clear {active} filter{active === 1 ? '' : 's'}
        </button>
      )}
    </div>
  );
}

function MultiSelect({
  name,
  value,
  none,
}: {
  readonly name: MultiFilter;
  readonly value: string | undefined;
  /** What no choice means. */
  readonly none: string;
}) {
  const { label, values } = multiFilters[name];
  const chosen = splitList(value);
  const [, setParams] = useSearchParams();
  // From the URL as it is when the click lands (not as it was at the last render), so quick
  // successive clicks add up instead of the second overwriting the first.
  const toggle = (item: string, on: boolean) =>
    setParams(
      (previous) => {
        const now = splitList(previous.get(name) ?? undefined);
        const next = on ? [...now, item] : now.filter((c) => c !== item);
        // Keep the vocabulary's order, so the URL reads the same whatever the clicking order.
        const joined = joinList(values.filter((v) => next.includes(v)));
        const params = new URLSearchParams(previous);
        if (joined === undefined) params.delete(name);
        else params.set(name, joined);
        return params;
        // Synchronously, so the checkbox shows its new state at once (see ui/url-state.ts).
      },
      { flushSync: true },
    );
  return (
    <details
      className="multi-select"
      onKeyDown={(event) => {
        // Escape folds the options and gives the focus back to the button that opened them.
        if (event.key !== 'Escape' || !event.currentTarget.open) return;
        event.currentTarget.open = false;
        event.currentTarget.querySelector('summary')?.focus();
      }}
    >
      <summary className="button">
        {label}
        {chosen.length > 0
          ? `: ${chosen.map((item) => valueLabel(name, item)).join(', ')}`
          : `: ${none}`}
      </summary>
      <fieldset className="multi-select-options">
        <legend>{label}</legend>
        {values.map((item) => (
          <label key={item} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(item)}
              onChange={(event) => toggle(item, event.target.checked)}
            />
            {valueLabel(name, item)}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function YesNo({
  name,
  value,
  set,
}: {
  readonly name: BooleanFilter;
  readonly value: string | undefined;
  readonly set: SetValues;
}) {
  const id = useId();
  return (
    <div className="field field-narrow">
      <label htmlFor={id}>{booleanFilters[name].label}</label>
      <select
        id={id}
        value={value === 'true' || value === 'false' ? value : ''}
        onChange={(event) => set({ [name]: event.target.value })}
      >
        <option value="">Any</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    </div>
  );
}

/** A text filter: its own draft until Enter or blur puts it in the URL. */
function TextField({
  name,
  value,
  set,
}: {
  readonly name: TextFilter;
  readonly value: string | undefined;
  readonly set: SetValues;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value ?? '');
  const apply = () => {
    const next = draft.trim();
    if (next !== (value ?? '')) set({ [name]: next });
  };
  return (
    <form
      className="field"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        apply();
      }}
    >
      <label htmlFor={id}>{textFilters[name].label}</label>
      <input
        id={id}
        type="search"
        value={draft}
        placeholder={textFilters[name].placeholder}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={apply}
      />
    </form>
  );
}

/** A date filter: a date picker, applied when a whole date is chosen or cleared. */
function DateField({
  name,
  value,
  set,
}: {
  readonly name: DateFilter;
  readonly value: string | undefined;
  readonly set: SetValues;
}) {
  const id = useId();
  return (
    <div className="field field-narrow">
      <label htmlFor={id}>{dateFilters[name].label}</label>
      <input
        id={id}
        type="date"
        value={value ?? ''}
        onChange={(event) => set({ [name]: event.target.value })}
      />
    </div>
  );
}

function EpssField({
  value,
  set,
}: {
  readonly value: string | undefined;
  readonly set: SetValues;
}) {
  const id = useId();
  const hint = useId();
  const [draft, setDraft] = useState(value ?? '');
  const apply = () => {
    const next = draft.trim();
    if (next !== (value ?? '')) set({ epssMin: next });
  };
  return (
    <form
      className="field field-narrow"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        apply();
      }}
    >
      <label htmlFor={id}>EPSS at least</label>
      <input
        id={id}
        type="number"
        min={0}
        max={1}
        step={0.01}
        value={draft}
        aria-describedby={hint}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={apply}
      />
      <span id={hint} className="visually-hidden">
        a probability from 0 to 1
      </span>
    </form>
  );
}
