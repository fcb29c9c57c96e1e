/**
 * @module idp/browser/listener
 * The browser endpoints as a `PageListener` of the IdP's router: it claims the paths of
 * `matchBrowserRoute` (authorize, sign-in, consent, userinfo, logout under the standard and Keycloak
 * profiles) and answers them; every other path goes on to the protocol endpoints.
 *
 * Wrong method → 405 with `Allow`; unknown tenant → 404; a form the strict reader refuses → 400 / 413. A
 * failure that is no protocol error is logged and answered with a generic 500 page (userinfo: JSON), never
 * a stack trace.
 */
import type { ServerResponse } from 'node:http';
import { errorResponse, isProtocolError } from '../endpoints/respond.ts';
import type { PageListener } from '../endpoints/router.ts';
import type { IdpResponse, IdpServices } from '../endpoints/types.ts';
import {
  type BrowserEndpoint,
  browserEndpointUrls,
  matchBrowserRoute,
  realmOf,
} from '../tenants/profiles.ts';
import { authorize, consent, signIn } from './flow.ts';
import { logout } from './logout.ts';
import { showError } from './respond.ts';
import type { BrowserServices, PageRequest } from './types.ts';
import { userinfo } from './userinfo.ts';

type PageHandler = (page: PageRequest) => Promise<void>;

const ENDPOINTS: Readonly<Record<BrowserEndpoint, { methods: readonly string[]; handler: PageHandler }>> = {
  authorize: { methods: ['GET', 'POST'], handler: authorize },
  signin: { methods: ['POST'], handler: signIn },
  consent: { methods: ['POST'], handler: consent },
  userinfo: {
    methods: ['GET', 'POST'],
    handler: async (page) => writeJson(page.response, await userinfo(page)),
  },
  logout: { methods: ['GET', 'POST'], handler: logout },
};

function writeJson(response: ServerResponse, answer: IdpResponse): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

/** The listener; `base` is the server's base URL (known once it listens). */
export function createBrowserListener(
  services: IdpServices,
  browser: BrowserServices,
  base: () => string,
): PageListener {
  return (request, response) => {
    const target = request.url ?? '';
    const question = target.indexOf('?');
    const path = question === -1 ? target : target.slice(0, question);
    const route = matchBrowserRoute(path, services.config.profiles);
    if (!route) return false;
    const root = base();
    const page: PageRequest = {
      request,
      response,
      services,
      browser,
      route,
      realm: realmOf(route, root),
      urls: browserEndpointUrls(route.profile, root, route.tenant),
      query: question === -1 ? '' : target.slice(question + 1),
      secure: root.startsWith('https:'),
    };
    answer(page).catch((error: unknown) => fail(page, error));
    return true;
  };
}

async function answer(page: PageRequest): Promise<void> {
  const endpoint = ENDPOINTS[page.route.endpoint];
  const method = page.request.method ?? 'GET';
  if (!endpoint.methods.includes(method)) {
    page.response.setHeader('allow', endpoint.methods.join(', '));
    return showError(page, 405, 'Method not allowed', `Use ${endpoint.methods.join(' or ')}.`);
  }
  if (!(await page.services.store.tenants.get(page.route.tenant))) {
    return showError(page, 404, 'Not found', 'There is no such page.');
  }
  await endpoint.handler(page);
}

function fail(page: PageRequest, error: unknown): void {
  const { request, response, services } = page;
  if (response.headersSent || request.socket?.destroyed) {
    response.destroy();
    return;
  }
  if (!isProtocolError(error)) services.logger.error({ err: error }, 'browser request failed');
  if (page.route.endpoint === 'userinfo') {
    writeJson(response, errorResponse(error, page.realm.issuer));
    return;
  }
  const status = isProtocolError(error) ? error.httpStatus : 500;
  const message =
    status === 413
      ? 'The form is too large.'
      : status < 500
        ? 'The form could not be read. Go back and try again.'
        : 'Something went wrong on our side. Try again later.';
  showError(page, status, status < 500 ? 'Request rejected' : 'Server error', message);
}
