// Which services this process runs (SERVICES): both in one (the single server), the FAQ service alone, or
// the ticket service alone, which reaches the FAQ service through its contract (docs/services.md).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from './config.ts';
import type { AnswerCache } from './http/answer-cache.ts';
import type { Routes } from './http/routing.ts';
import { FaqService } from './remote/faq-service.ts';
import { RemoteFailure, resolveHref } from './remote/hypermedia.ts';
import { type DependencyCheck, observedCheck } from './resources/health/probes.ts';
import { faqRoutes } from './resources/faqs/routes.ts';
import { homeRoutes } from './resources/home/routes.ts';
import { LOCAL_FAQS } from './resources/home/representation.ts';
import { searchRoutes } from './resources/search/routes.ts';
import { type FaqSide, localFaqs, remoteFaqs } from './resources/tickets/faq-side.ts';
import { ticketRoutes } from './resources/tickets/routes.ts';
import { v1Routes } from './resources/v1/routes.ts';
import type { Store } from './store/index.ts';

/** How the ticket service alone reaches the FAQ service (FAQ_API and the settings of its calls). */
interface FaqApi {
  root: string;
  token: string | undefined;
  timeoutMs: number;
  cooldownMs: number;
}

/**
 * Where each kind of resource lives, as this process sees it: FAQs here, with or without tickets (the single
 * server, or the FAQ service alone), or tickets here and FAQs at the FAQ service. Decided once, from the
 * configuration, and passed down to whatever depends on it.
 */
export type Topology = { tickets: boolean; faqs: 'here' } | { tickets: true; faqs: FaqApi };

export function topologyOf(
  config: Pick<Config, 'services' | 'faqApi' | 'faqApiToken' | 'faqApiTimeoutMs' | 'faqApiCooldownMs'>,
): Topology {
  if (config.services.has('faqs')) return { tickets: config.services.has('tickets'), faqs: 'here' };
  // loadConfig refuses SERVICES=tickets without FAQ_API; a configuration built otherwise is a programming error.
  if (config.faqApi === undefined) throw new Error('the ticket service alone needs FAQ_API');
  return {
    tickets: true,
    faqs: {
      root: config.faqApi,
      token: config.faqApiToken,
      timeoutMs: config.faqApiTimeoutMs,
      cooldownMs: config.faqApiCooldownMs,
    },
  };
}

export interface ServiceRoutes {
  /** Registers the routes of the services this process runs (home, tickets, FAQs, search, v1). */
  register(routes: Routes): void;
  /** What readiness reports besides the database. */
  dependencies: Record<string, () => Promise<DependencyCheck>>;
}

/** The FAQ service's calls and circuit, as Prometheus sees them. */
function observed(registry: Registry) {
  const calls = new Counter({
    name: 'helpdesk_faq_service_calls_total',
    help: 'Calls to the FAQ service, by method and outcome (skipped: the circuit was open, nothing was sent)',
    labelNames: ['method', 'outcome'],
    registers: [registry],
  });
  const staleAnswers = new Counter({
    name: 'helpdesk_faq_service_stale_answers_total',
    help: 'Reads of the FAQ service answered from a stale copy (its home document) because it was unavailable',
    registers: [registry],
  });
  return { calls, staleAnswers };
}

function faqServiceFor(api: FaqApi, registry: Registry): FaqService {
  const { calls, staleAnswers } = observed(registry);
  const service = new FaqService(api.root, {
    token: api.token,
    timeoutMs: api.timeoutMs,
    cooldownMs: api.cooldownMs,
    observe: (method, outcome) => calls.inc({ method, outcome }),
    servedStale: () => staleAnswers.inc(),
  });
  const states = { closed: 0, 'half-open': 1, open: 2 } as const;
  new Gauge({
    name: 'helpdesk_faq_service_circuit',
    help: 'The circuit to the FAQ service: 0 closed, 1 half-open (one probe call allowed), 2 open (no calls sent)',
    registers: [registry],
    collect() {
      this.set(states[service.client.circuit]);
    },
  });
  return service;
}

/**
 * The FAQ service as readiness reports it: reachable (pass) or not (warn), and the state of its circuit. It
 * asks the FAQ service each time: a kept home document, fresh or stale, says nothing of whether it answers.
 */
function faqServiceCheck(service: FaqService) {
  return async (): Promise<DependencyCheck> => {
    const started = performance.now();
    let status: DependencyCheck['status'] = 'pass';
    let output: string | undefined;
    try {
      await service.entryPoints({ revalidate: true });
    } catch (error) {
      if (!(error instanceof RemoteFailure)) throw error;
      status = 'warn';
      output = error.message;
    }
    const component = { componentId: service.root, componentType: 'component' };
    const more = { circuit: service.client.circuit, ...(output ? { output } : {}) };
    return { status, check: observedCheck(component, status, started, more) };
  };
}

export function serviceRoutes(
  topology: Topology,
  store: Store,
  registry: Registry,
  answers?: AnswerCache,
): ServiceRoutes {
  if (topology.faqs === 'here') {
    const ticketsHere = topology.tickets;
    const faqSide = localFaqs(store);
    return {
      dependencies: {},
      register(routes) {
        homeRoutes(routes, { tickets: ticketsHere, faqs: async () => LOCAL_FAQS });
        if (ticketsHere) ticketRoutes(routes, store, faqSide, answers);
        faqRoutes(routes, store, { ticketsHere });
        searchRoutes(
          routes,
          store,
          { tickets: ticketsHere, faqs: true, faqsOf: async (ctx) => (await faqSide.links(ctx)).faqsOf },
          answers,
        );
        v1Routes(routes, store);
      },
    };
  }
  const service = faqServiceFor(topology.faqs, registry);
  const faqSide: FaqSide = remoteFaqs(service);
  /**
   * The FAQ service's collections, or undefined when they are not known: it cannot be reached and no home
   * document of the last hour is kept, or it answered against its contract (our links then leave them out).
   */
  const collections = async () => {
    try {
      return await service.entryPoints();
    } catch (error) {
      if (error instanceof RemoteFailure) return undefined;
      throw error;
    }
  };
  return {
    dependencies: { 'faq-service:responseTime': faqServiceCheck(service) },
    register(routes) {
      homeRoutes(routes, { tickets: true, faqs: collections });
      ticketRoutes(routes, store, faqSide, answers);
      searchRoutes(routes, store, {
        tickets: true,
        faqs: async (q) => {
          const faqs = (await collections())?.faqs;
          return faqs && resolveHref(faqs, faqs.split('{', 1)[0] ?? faqs, q === undefined ? {} : { q });
        },
        faqsOf: async (ctx) => (await faqSide.links(ctx)).faqsOf,
      });
    },
  };
}
