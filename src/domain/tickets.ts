// What a ticket is and the rules of its life, independent of HTTP and storage.

export const TICKET_STATUSES = ['open', 'pending', 'solved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** What a client may write. */
export interface TicketFields {
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  requester: string;
  assignee: string | null;
  tags: string[];
}

export interface Ticket extends TicketFields {
  id: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  /** Set when this ticket was merged into another; the ticket then answers with a permanent redirect. */
  mergedInto: number | null;
}

export const TICKET_DEFAULTS: Omit<TicketFields, 'title' | 'requester'> = {
  description: '',
  status: 'open',
  priority: 'normal',
  assignee: null,
  tags: [],
};

/** Why a ticket may not be changed, or undefined when it may. Closed is final: nothing changes a closed ticket. */
export function whyUnchangeable(ticket: Ticket): string | undefined {
  return ticket.status === 'closed' ? `Ticket ${ticket.id} is closed, and a closed ticket cannot change.` : undefined;
}
