/**
 * The one table of the UI: TanStack Table for columns, sorting and row selection, TanStack
 * Virtual for rows, so 10,000 rows scroll smoothly (only the rows in view are in the DOM; spacer
 * rows keep the scroll height). A real <table> with column headers for screen readers
 * (`aria-rowcount` says how many rows there are in all); sortable headers are buttons; rows are
 * reachable by keyboard (Tab to a row's link or checkbox).
 */
import type { ColumnDef, OnChangeFn, RowSelectionState, SortingState } from '@tanstack/react-table';
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ReactNode } from 'react';
import { useRef } from 'react';

export type { ColumnDef, RowSelectionState, SortingState } from '@tanstack/react-table';

export interface DataTableProps<T> {
  /** What the table lists, for its accessible name ("Findings"). */
  readonly label: string;
  readonly rows: readonly T[];
  readonly columns: ColumnDef<T, unknown>[];
  readonly rowId: (row: T) => string;
  /** Sorting the server does (`manualSorting`) or undefined to sort the loaded rows here. */
  readonly sorting?: SortingState;
  readonly onSortingChange?: OnChangeFn<SortingState>;
  readonly manualSorting?: boolean;
  /** Checkbox selection: the selected row ids. */
  readonly selection?: RowSelectionState;
  readonly onSelectionChange?: OnChangeFn<RowSelectionState>;
  /** The row shown as current (a side panel's subject): highlighted, `aria-current`. */
  readonly currentId?: string;
  /** Estimated row height in pixels (virtualisation). */
  readonly rowHeight?: number;
  /** Height of the scrolling area; rows beyond it are virtualised. */
  readonly height?: number | string;
  /** Shown under the rows (a "Load more" button, a count). */
  readonly footer?: ReactNode;
  /** Called when the last rows come into view (infinite scrolling). */
  readonly onEndReached?: () => void;
}

export function DataTable<T>({
  label,
  rows,
  columns,
  rowId,
  sorting,
  onSortingChange,
  manualSorting = false,
  selection,
  onSelectionChange,
  currentId,
  rowHeight = 40,
  height = '70vh',
  footer,
  onEndReached,
}: DataTableProps<T>) {
  // TanStack Table returns fresh functions each render; the React Compiler skips this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable<T>({
    data: rows as T[],
    columns,
    getRowId: (row) => rowId(row),
    getCoreRowModel: getCoreRowModel(),
    ...(manualSorting ? { manualSorting: true } : { getSortedRowModel: getSortedRowModel() }),
    state: {
      ...(sorting !== undefined && { sorting }),
      ...(selection !== undefined && { rowSelection: selection }),
    },
    ...(onSortingChange !== undefined && { onSortingChange }),
    ...(onSelectionChange !== undefined && { onRowSelectionChange: onSelectionChange }),
    enableRowSelection: selection !== undefined,
  });
  const scroller = useRef<HTMLDivElement>(null);
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items.at(-1);
  const padTop = first?.start ?? 0;
  const padBottom = last === undefined ? 0 : virtualizer.getTotalSize() - last.end;
  if (onEndReached !== undefined && last !== undefined && last.index >= tableRows.length - 5)
    queueMicrotask(onEndReached);
  const columnCount = table.getVisibleLeafColumns().length;

  return (
    <div className="table-wrap">
      <div
        ref={scroller}
        className="table-scroll"
        style={{ maxHeight: height }}
        tabIndex={0}
        role="region"
        aria-label={`${label} (scrollable)`}
      >
        <table className="data-table" aria-label={label} aria-rowcount={tableRows.length + 1}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id} aria-rowindex={1}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const canSort = header.column.getCanSort() && onSortingChange !== undefined;
                  const content = header.isPlaceholder
                    ? null
                    : flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={
                        sorted === 'asc'
                          ? 'ascending'
                          : sorted === 'desc'
                            ? 'descending'
                            : undefined
                      }
                      style={
                        header.column.columnDef.size !== 150
                          ? { width: header.getSize() }
                          : undefined
                      }
                    >
                      {canSort ? (
                        <button
                          type="button"
                          className="sort-button"
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          {content}
                          <span aria-hidden="true" className="sort-mark">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                          </span>
                        </button>
                      ) : (
                        content
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={columnCount} style={{ height: padTop }} />
              </tr>
            )}
            {items.map((item) => {
              const row = tableRows[item.index];
              if (row === undefined) return null;
              const current = row.id === currentId;
              return (
                <tr
                  key={row.id}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  aria-rowindex={item.index + 2}
                  aria-selected={selection !== undefined ? row.getIsSelected() : undefined}
                  aria-current={current ? 'true' : undefined}
                  className={current ? 'current' : undefined}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={columnCount} style={{ height: padBottom }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {footer !== undefined && <div className="table-footer">{footer}</div>}
    </div>
  );
}

/** A checkbox column for row selection (put it first in `columns`). */
export function selectionColumn<T>(label: (row: T) => string): ColumnDef<T, unknown> {
  return {
    id: 'select',
    size: 44,
    enableSorting: false,
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label="Select all rows"
        checked={table.getIsAllRowsSelected()}
        ref={(element) => {
          if (element !== null) element.indeterminate = table.getIsSomeRowsSelected();
        }}
        onChange={table.getToggleAllRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input
        type="checkbox"
        aria-label={`Select ${label(row.original)}`}
        checked={row.getIsSelected()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  };
}
