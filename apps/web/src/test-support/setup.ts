// Component tests: unmount what each test rendered (Testing Library's cleanup).
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
});
