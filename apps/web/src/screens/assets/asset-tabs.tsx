/**
 * Tabs whose selection lives in the URL (`?tab=`): a WAI-ARIA tablist (arrow keys move between
 * tabs, Home/End jump), each tab a button controlling one tabpanel.
 */
import type { KeyboardEvent, ReactNode } from 'react';
import { useId, useRef } from 'react';

export interface TabDef<K extends string> {
  readonly id: K;
  readonly label: ReactNode;
}

export function Tabs<K extends string>({
  label,
  tabs,
  current,
  onSelect,
  children,
}: {
  readonly label: string;
  readonly tabs: readonly TabDef<K>[];
  readonly current: K;
  readonly onSelect: (tab: K) => void;
  readonly children: ReactNode;
}) {
  const id = useId();
  const list = useRef<HTMLDivElement>(null);
  const move = (event: KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const target =
      event.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : event.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : undefined;
    const tab = target === undefined ? undefined : tabs[target];
    if (tab === undefined) return;
    event.preventDefault();
    onSelect(tab.id);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[target ?? 0]?.focus();
  };
  return (
    <>
      <div className="tabs" role="tablist" aria-label={label} ref={list}>
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`${id}-tab-${tab.id}`}
            aria-selected={tab.id === current}
            aria-controls={`${id}-panel`}
            tabIndex={tab.id === current ? 0 : -1}
            onClick={() => onSelect(tab.id)}
            onKeyDown={(event) => move(event, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div
        className="tab-panel"
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={`${id}-tab-${current}`}
        tabIndex={0}
      >
        {children}
      </div>
    </>
  );
}
