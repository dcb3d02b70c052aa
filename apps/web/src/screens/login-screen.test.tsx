import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { adminUser, installFakeApi, renderWithApp } from '../test-support/render.tsx';
import { LoginScreen } from './login-screen.tsx';

const routes = [
  { path: '/login', element: <LoginScreen /> },
  { path: '/findings', element: <p>findings screen</p> },
  { path: '/', element: <p>home screen</p> },
];

describe('LoginScreen', () => {
  it('labels its fields Username and Password and logs in to where the visitor was going', async () => {
    const calls = installFakeApi(
      { 'POST /api/v1/session': () => ({ user: adminUser, csrfToken: 'csrf-1' }) },
      null,
    );
    renderWithApp(routes, { url: '/login?next=%2Ffindings' });
    await userEvent.type(await screen.findByLabelText('Username'), 'admin');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('findings screen')).toBeDefined();
    const login = calls.find((call) => call.method === 'POST');
    expect(login?.body).toEqual({ username: 'admin', password: 'correct horse battery' });
  });

  it('says so when the password is wrong, and never follows an absolute ?next=', async () => {
    installFakeApi(
      {
        'POST /api/v1/session': () =>
          new Response(
            JSON.stringify({ status: 401, title: 'Unauthorized', code: 'unauthorized' }),
            {
              status: 401,
              headers: { 'content-type': 'application/problem+json' },
            },
          ),
      },
      null,
    );
    renderWithApp(routes, { url: '/login?next=https%3A%2F%2Fevil.example' });
    await userEvent.type(await screen.findByLabelText('Username'), 'admin');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
  });

  it('sends a logged-in visitor on without showing the form', async () => {
    installFakeApi({});
    renderWithApp(routes, { url: '/login?next=//evil.example' });
    expect(await screen.findByText('home screen')).toBeDefined();
  });
});
