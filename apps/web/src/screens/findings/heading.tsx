/** A heading whose level the caller picks (a panel's h2 sections are a page's h3). */
import type { ReactNode } from 'react';

export function Heading({
  level,
  children,
  className,
}: {
  readonly level: 2 | 3 | 4;
  readonly children: ReactNode;
  readonly className?: string;
}) {
  const Tag = `h${level}` as const;
  return <Tag className={className}>{children}</Tag>;
}
