/** The web application's entry: providers and the router. */
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { createAppQueryClient } from './api/query.ts';
import { SessionProvider } from './api/session.tsx';
import { routes } from './app/routes.tsx';
import { applyTheme, storedChoice } from './app/theme.ts';
import './styles.css';

// Before the first paint, so the login page is already in the chosen theme.
applyTheme(storedChoice());
const queryClient = createAppQueryClient();
const router = createBrowserRouter(routes);
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
