// Who may do what: roles, the actions each is granted, and what each may see. Data, not branching.

export const ROLES = ['admin', 'agent', 'requester'] as const;
export type Role = (typeof ROLES)[number];

export type Caller =
  | { kind: 'anonymous'; address: string }
  | { kind: 'token'; tokenId: number | 'bootstrap'; name: string; role: Role; email: string | null }
  // A Prometheus server with METRICS_TOKEN, on /metrics only; limited by its address, like the anonymous.
  | { kind: 'scraper'; name: string; address: string };

export type Action =
  | 'ticket:list'
  | 'ticket:read'
  | 'ticket:create'
  | 'ticket:update'
  | 'ticket:assign'
  | 'ticket:delete'
  | 'ticket:promote'
  | 'ticket:merge'
  | 'ticket:import'
  | 'faq:read'
  | 'faq:read-drafts'
  | 'faq:write'
  | 'faq:publish'
  | 'faq:see-source'
  | 'search'
  | 'token:manage'
  | 'metrics:read';

const EVERYONE: Action[] = ['faq:read', 'search'];
const TICKET_WORK: Action[] = [
  'ticket:list',
  'ticket:read',
  'ticket:create',
  'ticket:update',
  'ticket:assign',
  'ticket:delete',
  'ticket:promote',
  'ticket:merge',
  'ticket:import',
];
const FAQ_WORK: Action[] = ['faq:read-drafts', 'faq:write', 'faq:publish', 'faq:see-source'];

const GRANTS: Record<Role | 'anonymous' | 'scraper', ReadonlySet<Action>> = {
  admin: new Set([...EVERYONE, ...TICKET_WORK, ...FAQ_WORK, 'token:manage', 'metrics:read']),
  agent: new Set([...EVERYONE, ...TICKET_WORK, ...FAQ_WORK]),
  // Requesters see and change only their own tickets (see ticketOwner), and never assign or reassign them.
  requester: new Set([...EVERYONE, 'ticket:list', 'ticket:read', 'ticket:create', 'ticket:update']),
  anonymous: new Set(EVERYONE),
  scraper: new Set(['metrics:read']),
};

export function roleOf(caller: Caller): Role | 'anonymous' | 'scraper' {
  return caller.kind === 'token' ? caller.role : caller.kind;
}

export function may(caller: Caller, action: Action): boolean {
  return GRANTS[roleOf(caller)].has(action);
}

/** Emails are compared without regard to case: `Ann@Example.com` and `ann@example.com` are one requester. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Whose tickets the caller sees: undefined for everyone's, an email for a requester's own. */
export function ticketOwner(caller: Caller): string | undefined {
  return caller.kind === 'token' && caller.role === 'requester' ? normaliseEmail(caller.email ?? '') : undefined;
}

/** Fields of a ticket body this caller may not set (privileged): naming one is a 400, never silently applied. */
export function privilegedTicketFields(caller: Caller): string[] {
  return may(caller, 'ticket:assign') ? [] : ['requester', 'assignee'];
}
