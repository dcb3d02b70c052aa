/** The frame of a screen: its title (also the document's), a description and actions. */
import type { ReactNode } from 'react';
import { useEffect } from 'react';

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Patchgate`;
  }, [title]);
}

export function PageHeader({
  title,
  description,
  actions,
  children,
}: {
  readonly title: string;
  readonly description?: ReactNode;
  readonly actions?: ReactNode;
  readonly children?: ReactNode;
}) {
  useDocumentTitle(title);
  return (
    <header className="page-header">
      <div className="page-header-text">
        <h1>{title}</h1>
        {description !== undefined && <p className="page-description">{description}</p>}
        {children}
      </div>
      {actions !== undefined && <div className="page-actions">{actions}</div>}
    </header>
  );
}

/** A titled block of a screen (a card). */
export function Section({
  title,
  actions,
  children,
  className,
}: {
  readonly title?: string;
  readonly actions?: ReactNode;
  readonly children: ReactNode;
  readonly className?: string;
}) {
  return (
    <section className={['card', className].filter(Boolean).join(' ')}>
      {(title !== undefined || actions !== undefined) && (
        <div className="card-header">
          {title !== undefined && <h2>{title}</h2>}
          {actions !== undefined && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

/** Label → value pairs (a definition list). */
export function Facts({
  items,
}: {
  readonly items: readonly (readonly [label: string, value: ReactNode])[];
}) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label} className="fact">
          <dt>{label}</dt>
          <dd>{value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}
