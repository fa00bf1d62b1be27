import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { replayKey, replayMemory } from '../common/webhookSecurity';
import {
	acknowledge,
	badRequest,
	forgetUnlessSucceeded,
	refuse,
	respondOption,
	start,
	webhookTriggerShape,
} from '../common/webhookTrigger';
import {
	type Authentication,
	authenticateRequest,
	credentialTest,
	DEFAULT_CLOCK_SKEW_SECONDS,
	DEFAULT_MAX_TOKEN_AGE_SECONDS,
	stringOption,
} from './authentication';
import {
	bodyOf,
	contactsOf,
	DEFAULT_EMAIL_FIELD,
	DEFAULT_OPT_IN_FIELD,
	normalizeEmarsysContact,
} from './payload';

/** How long a deduplication ID is remembered while Ignore Repeated Deliveries is on. */
const DEDUPLICATION_MEMORY_MS = 24 * 60 * 60 * 1000;

export class EmarsysTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Emarsys Trigger',
		name: 'emarsysTrigger',
		icon: { light: 'file:emarsys.svg', dark: 'file:emarsys.dark.svg' },
		...webhookTriggerShape('emarsys'),
		subtitle:
			'={{ "Webhook node, " + ({ jwt: "JWT", headerAuth: "header", basicAuth: "basic auth" })[$parameter["authentication"]] }}',
		description:
			'Starts the workflow when the Webhook node of an Emarsys Automation Center or Interactions program sends a contact, after checking its authentication',
		defaults: { name: 'Emarsys Trigger' },
		credentials: [
			{
				name: 'emarsysWebhookJwtApi',
				required: true,
				testedBy: 'emarsysJwtSecretFormat',
				displayOptions: { show: { authentication: ['jwt'] } },
			},
			{
				name: 'emarsysWebhookHeaderApi',
				required: true,
				testedBy: 'emarsysHeaderFormat',
				displayOptions: { show: { authentication: ['headerAuth'] } },
			},
			{
				name: 'emarsysWebhookBasicAuthApi',
				required: true,
				testedBy: 'emarsysBasicAuthFormat',
				displayOptions: { show: { authentication: ['basicAuth'] } },
			},
		],
		activationMessage:
			"Put this workflow's production URL into the Emarsys Webhook node preset (Automations → Webhook Node Presets) with the same authentication.",
		properties: [
			{
				displayName:
					"Emarsys has no API for webhooks: create a Webhook node preset in Emarsys (Automations → Webhook Node Presets) with this node's production URL and the same authentication, then end a program (e.g. the Double Opt-In node's confirmed path) in a Webhook node that uses the preset. Emarsys sends one request per contact reaching that node.",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'JWT',
						value: 'jwt',
						description: 'The preset\'s "JWT authentication" with a JWT Secret (HS256/384/512)',
					},
					{
						name: 'Shared Header',
						value: 'headerAuth',
						description: 'A header with a secret value sent with every request',
					},
					{
						name: 'Basic Auth',
						value: 'basicAuth',
						description: 'HTTP basic authentication with a user and password',
					},
				],
				default: 'jwt',
				description:
					'How requests prove they come from your Emarsys preset. Requests that fail get HTTP 401 and start nothing.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Additional Allowed IPs',
						name: 'additionalAllowedIps',
						type: 'string',
						default: '',
						placeholder: 'e.g. 203.0.113.7, 2001:db8::1',
						description:
							"With Only Emarsys IPs on: more client addresses to accept besides Emarsys' (comma-separated, exact addresses)",
					},
					{
						displayName: 'Allow Tokens Without Expiry or Issue Time',
						name: 'allowTokensWithoutLifetime',
						type: 'boolean',
						default: false,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							'Whether a token that carries neither exp nor iat is accepted. Such a token never expires: anyone who captures one can send requests with it for as long as the secret is unchanged.',
					},
					{
						displayName: 'Clock Skew (Seconds)',
						name: 'clockSkewSeconds',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 600 },
						default: DEFAULT_CLOCK_SKEW_SECONDS,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							"Allowed difference between Emarsys' clock and this server's when checking the token's exp, nbf and iat",
					},
					{
						displayName: 'Email Field',
						name: 'emailField',
						type: 'string',
						default: DEFAULT_EMAIL_FIELD,
						description:
							'The field of the request that holds the email address (as named in the preset). If it is missing, email_address, email, emailAddress and 3 are tried.',
					},
					{
						displayName: 'Ignore Repeated Deliveries',
						name: 'ignoreRepeatedDeliveries',
						type: 'boolean',
						default: true,
						description:
							'Whether a request whose deduplication_id this node accepted in the last 24 hours is acknowledged without starting the workflow again (on unless turned off). Emarsys does not document this field; it has no effect when requests do not carry it.',
					},
					{
						displayName: 'Include JWT Claims',
						name: 'includeJwtClaims',
						type: 'boolean',
						default: false,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							'Whether to add the verified token\'s claims to each item under "jwtClaims"',
					},
					{
						displayName: 'JWT Header',
						name: 'jwtHeaderName',
						type: 'string',
						default: 'Authorization',
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							'The header that carries the token, as "Bearer &lt;token&gt;" or the bare token. Emarsys does not document which header it uses; Authorization is assumed.',
					},
					{
						displayName: 'Max Token Age (Seconds)',
						name: 'maxTokenAgeSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_MAX_TOKEN_AGE_SECONDS,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							'For a token without exp: refused once it was issued (iat) longer ago than this. A token with exp is held to its exp.',
					},
					{
						displayName: 'Only Emarsys IPs',
						name: 'restrictToEmarsysIps',
						type: 'boolean',
						default: false,
						description:
							"Whether to refuse requests from addresses other than Emarsys' published ones (34.89.173.3, 35.246.249.205, 34.89.137.140), in addition to the authentication. Behind a reverse proxy, n8n sees the proxy's address unless its proxy settings (N8N_PROXY_HOPS) are set.",
					},
					{
						displayName: 'Opt-In Field',
						name: 'optInField',
						type: 'string',
						default: DEFAULT_OPT_IN_FIELD,
						description:
							'The field that holds the Emarsys opt-in (field 31: 1 = true, 2 = false, empty = unknown). If it is missing, optin, opt_in, optIn and 31 are tried.',
					},
					respondOption(
						'When Emarsys gets its answer. Emarsys is reported (by a third-party connector, not in its documentation) to retry a request answered with a non-2xx status, so a failed run can come again; Ignore Repeated Deliveries lets that retry through.',
					),
				],
			},
		],
	};

	methods = { credentialTest };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receivedAt = new Date();
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const authentication = this.getNodeParameter('authentication', 'jwt') as Authentication;
		const check = await authenticateRequest(this, authentication, options);
		if (!check.ok) return refuse(this);

		// Authenticated: from here on the answers may say what happened.
		const contacts = contactsOf(await bodyOf(this));
		if (!contacts) return badRequest(this, 'The body is not a JSON object');

		const emailField = stringOption(options.emailField, DEFAULT_EMAIL_FIELD);
		const optInField = stringOption(options.optInField, DEFAULT_OPT_IN_FIELD);
		let items = contacts.map((contact) => {
			const json = normalizeEmarsysContact(contact, { emailField, optInField, receivedAt });
			if (check.claims && options.includeJwtClaims === true) json.jwtClaims = check.claims;
			return json;
		});

		// On unless turned off: an option the user never added is absent from `options`.
		if (options.ignoreRepeatedDeliveries !== false) {
			items = items.filter(
				(json) =>
					typeof json.deduplicationId !== 'string' ||
					!replayMemory.seenBefore(replayKey(this), json.deduplicationId, DEDUPLICATION_MEMORY_MS),
			);
			if (items.length === 0) return acknowledge({ received: true, duplicate: true });
			const ids = items
				.map((json) => json.deduplicationId)
				.filter((id): id is string => typeof id === 'string');
			forgetUnlessSucceeded(this, options, ids);
		}

		return start({ received: true, started: true, contacts: items.length }, items);
	}
}
