import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

/** The events Loops documents for its outgoing webhooks (https://loops.so/docs/webhooks). */
export const LOOPS_EVENTS: INodePropertyOptions[] = [
	{
		name: 'Any Event',
		value: '*',
		description: 'Every verified event, including ones Loops adds later',
	},
	{
		name: 'Campaign Email Sent',
		value: 'campaign.email.sent',
	},
	{
		name: 'Contact Created',
		value: 'contact.created',
		description:
			'A new contact. With double opt-in, sent only once the person confirmed (optInStatus "accepted").',
	},
	{
		name: 'Contact Deleted',
		value: 'contact.deleted',
	},
	{
		name: 'Contact Subscribed to Mailing List',
		value: 'contact.mailingList.subscribed',
		description: 'With double opt-in, sent only after the confirmation',
	},
	{
		name: 'Contact Unsubscribed',
		value: 'contact.unsubscribed',
		description: 'Unsubscribed from the audience (also after a hard bounce, or when deleted)',
	},
	{
		name: 'Contact Unsubscribed From Mailing List',
		value: 'contact.mailingList.unsubscribed',
	},
	{ name: 'Email Clicked', value: 'email.clicked' },
	{ name: 'Email Delivered', value: 'email.delivered' },
	{ name: 'Email Hard Bounced', value: 'email.hardBounced' },
	{ name: 'Email Opened', value: 'email.opened' },
	{ name: 'Email Resubscribed', value: 'email.resubscribed' },
	{ name: 'Email Soft Bounced', value: 'email.softBounced' },
	{ name: 'Email Spam Reported', value: 'email.spamReported' },
	{ name: 'Email Unsubscribed', value: 'email.unsubscribed' },
	{ name: 'Loop Email Sent', value: 'loop.email.sent' },
	{
		name: 'Test Event',
		value: 'testing.testEvent',
		description: 'Sent by the test button on Loops\' Webhooks settings page',
	},
	{ name: 'Transactional Email Sent', value: 'transactional.email.sent' },
];

/**
 * What an event says about the person's subscription: to the audience, or for the list events to
 * that list (see mailingListId). null when the event says nothing about it.
 */
function subscribedFor(event: string, contact: IDataObject | undefined): boolean | null {
	switch (event) {
		case 'contact.created':
			return typeof contact?.subscribed === 'boolean' ? contact.subscribed : null;
		case 'contact.mailingList.subscribed':
		case 'email.resubscribed':
			return true;
		case 'contact.unsubscribed':
		case 'contact.mailingList.unsubscribed':
		case 'email.unsubscribed':
			return false;
		default:
			return null;
	}
}

function asObject(value: unknown): IDataObject | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

function asString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * One output item for a verified Loops event: normalized fields first, the payload as sent under
 * `payload`. Parsing is lenient: Loops may add fields in newer schema versions.
 */
export function normalizeLoopsEvent(
	payload: IDataObject,
	webhookId: string,
	receivedAt: Date,
): IDataObject {
	const event = asString(payload.eventName) ?? '';
	const identity = asObject(payload.contactIdentity);
	const contact = asObject(payload.contact);
	const mailingList = asObject(payload.mailingList);
	const email = asString(identity?.email) ?? asString(contact?.email);
	const json: IDataObject = {
		event,
		email: email ? email.trim().toLowerCase() : null,
		contactId: asString(identity?.id) ?? asString(contact?.id) ?? null,
		userId: asString(identity?.userId) ?? asString(contact?.userId) ?? null,
		subscribed: subscribedFor(event, contact),
	};
	if (contact && 'optInStatus' in contact) json.optInStatus = (contact.optInStatus as string | null) ?? null;
	if (mailingList) {
		json.mailingListId = asString(mailingList.id) ?? null;
		json.mailingListName = asString(mailingList.name) ?? null;
	}
	const eventTime = typeof payload.eventTime === 'number' ? payload.eventTime : Number(payload.eventTime);
	json.occurredAt = Number.isFinite(eventTime) && eventTime > 0 ? new Date(eventTime * 1000).toISOString() : null;
	json.receivedAt = receivedAt.toISOString();
	json.webhookId = webhookId;
	json.payload = payload;
	return json;
}
