import type { INodeProperties } from 'n8n-workflow';

import { brandOption, optionsCollection } from '../common.descriptions';

type DisplayOptions = INodeProperties['displayOptions'];

export const unsubscribeAllNotice = (displayOptions: DisplayOptions): INodeProperties => ({
	displayName:
		"This opts the address out of ALL marketing email of the brand at once. Undoing it later needs the person's renewed consent and a recorded legal basis (a resubscribe); it is not a free toggle. Turn on Dry Run to see what would change first.",
	name: 'unsubscribeAllNotice',
	type: 'notice',
	default: '',
	displayOptions,
});

export const unsubscribeAllOptions = (displayOptions: DisplayOptions): INodeProperties =>
	optionsCollection(displayOptions, [
		{
			...brandOption,
			description:
				'The brand (business unit) to opt the address out of, for accounts with the Brands add-on. Empty: the default brand, 0 ("The default Account business unit will always use 0", HubSpot\'s reference); the node sends that 0, so Dry Run and the output name the brand the call wrote. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Verbose',
			name: 'verbose',
			type: 'boolean',
			default: false,
			description: 'Whether to return the status of every subscription type that was changed',
		},
	]);
