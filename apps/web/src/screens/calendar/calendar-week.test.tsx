import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { weeksOf } from './calendar-dates.ts';
import type { CalendarItem } from './calendar-grid.tsx';
import { CalendarGrid } from './calendar-grid.tsx';

const items: CalendarItem[] = [
  {
    key: 'window',
    kind: 'window',
    name: 'web nightly',
    start: '2026-12-08T21:00:00.000Z',
    end: '2026-12-09T01:00:00.000Z',
  },
  {
    key: 'change',
    kind: 'change',
    name: 'CHG-0007 Urgent security updates',
    start: '2026-12-10T12:00:00.000Z',
    end: '2026-12-10T13:00:00.000Z',
    changeId: 'c1',
    state: 'scheduled',
    conflicts: 1,
  },
  {
    key: 'change-2',
    kind: 'change',
    name: 'CHG-0008 Kernel',
    start: '2026-12-10T12:30:00.000Z',
    end: '2026-12-10T14:00:00.000Z',
    changeId: 'c2',
    state: 'scheduled',
  },
];

function renderWeek(onActiveDayChange = vi.fn(), onPickChange = vi.fn()) {
  render(
    <CalendarGrid
      view="week"
      weeks={weeksOf('week', '2026-12-10')}
      month="2026-12"
      today="2026-12-06"
      items={items}
      activeDay="2026-12-10"
      selectedChangeId={undefined}
      label="Week of 7 December 2026"
      onActiveDayChange={onActiveDayChange}
      onPickChange={onPickChange}
    />,
  );
  return { onActiveDayChange, onPickChange };
}

const itemOf = (text: string) => screen.getByText(text).closest('li') as HTMLElement;

describe('the week view as an hour grid', () => {
  it('labels 24 hours and places each item by its time, clipped to each day', () => {
    renderWeek();
    const grid = screen.getByRole('grid', { name: 'Week of 7 December 2026' });
    const hours = within(grid).getByRole('rowheader');
    expect(hours.textContent).toContain('Hours 00:00 to 24:00 (UTC)');
    expect(hours.querySelectorAll('li')).toHaveLength(24);
    expect(hours.querySelectorAll('li')[23]?.textContent).toBe('23:00');

    // 12:00–13:00 and 12:30–14:00 overlap: side by side, half the width each.
    const change = itemOf('CHG-0007 Urgent security updates');
    expect(change.style.top).toBe('50.000%');
    expect(change.style.height).toBe('4.167%');
    expect(change.style.width).toBe('50.000%');
    expect(change.style.left).toBe('0.000%');
    const kernel = itemOf('CHG-0008 Kernel');
    expect(kernel.style.top).toBe('52.083%');
    expect(kernel.style.left).toBe('50.000%');

    // The window crosses midnight: 21:00–24:00 on the 8th, 00:00–01:00 on the 9th.
    const [evening, morning] = screen.getAllByText('web nightly').map((n) => n.closest('li'));
    expect(evening?.closest('td')?.getAttribute('data-day')).toBe('2026-12-08');
    expect(evening?.style.top).toBe('87.500%');
    expect(evening?.style.height).toBe('12.500%');
    expect(morning?.closest('td')?.getAttribute('data-day')).toBe('2026-12-09');
    expect(morning?.style.top).toBe('0.000%');
    // The conflict still said in words.
    expect(within(change).getByText(/1 conflict/)).toBeDefined();
  });

  it('keeps the keyboard: arrows move the day, Tab reaches the day’s changes, Enter picks one', async () => {
    const { onActiveDayChange, onPickChange } = renderWeek();
    const day = document.querySelector<HTMLElement>('[data-day="2026-12-10"]');
    expect(day?.tabIndex).toBe(0);
    day?.focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(onActiveDayChange).toHaveBeenLastCalledWith('2026-12-11');
    day?.focus();
    await userEvent.tab();
    expect(document.activeElement?.textContent).toContain('CHG-0007');
    await userEvent.keyboard('{Enter}');
    expect(onPickChange).toHaveBeenCalledWith('c1');
  });

  it('the month view stays a list per day, without hours', () => {
    render(
      <CalendarGrid
        view="month"
        weeks={weeksOf('month', '2026-12-10')}
        month="2026-12"
        today="2026-12-06"
        items={items}
        activeDay="2026-12-10"
        selectedChangeId={undefined}
        label="December 2026"
        onActiveDayChange={() => undefined}
        onPickChange={() => undefined}
      />,
    );
    expect(screen.queryByRole('rowheader')).toBeNull();
    expect(itemOf('CHG-0007 Urgent security updates').style.top).toBe('');
  });
});
