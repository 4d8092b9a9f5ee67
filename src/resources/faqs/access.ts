// Reading and writing FAQs the same way from every contract version: 404/410 on load, 409 on a duplicate question.
import { type Caller, may } from '../../domain/access.ts';
import type { Faq } from '../../domain/faqs.ts';
import { conflict, gone, notFound } from '../../http/problem.ts';
import { parseId } from '../../links/references.ts';
import { DuplicateQuestion, type FaqStore } from '../../store/faqs.ts';

/** The FAQ a path segment names, as the caller may see it: 404 if it never existed (or is a draft they may not read), 410 once deleted. */
export async function loadFaq(faqs: FaqStore, rawId: string | undefined, caller: Caller): Promise<Faq> {
  const id = parseId(rawId);
  const faq = id === undefined ? undefined : await faqs.find(id);
  if (!faq || (faq.status === 'draft' && !may(caller, 'faq:read-drafts'))) throw notFound(`There is no FAQ ${rawId}.`);
  if (faq.deletedAt !== null) throw gone(`FAQ ${faq.id} was deleted.`);
  return faq;
}

/** Runs a write, turning the store's duplicate-question refusal into a 409. */
export async function refuseDuplicates<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DuplicateQuestion) throw conflict(`An FAQ already asks "${error.question}" (ignoring case and spaces).`);
    throw error;
  }
}
