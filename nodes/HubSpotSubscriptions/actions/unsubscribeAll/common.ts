import type { INodeProperties } from 'n8n-workflow';

import { brandOption, optionsCollection } from '../common.descriptions';

type DisplayOptions = INodeProperties['displayOptions'];

export const unsubscribeAllNotice = (displayOptions: DisplayOptions): INodeProperties => ({
	displayName:
		'This opts the address out of ALL marketing email of the brand at once. Undoing it later needs the person\'s renewed consent and a recorded legal basis (a resubscribe); it is not a free toggle. Turn on Dry Run to see what would change first.',
	name: 'unsubscribeAllNotice',
	type: 'notice',
	default: '',
	displayOptions,
});

export const unsubscribeAllOptions = (displayOptions: DisplayOptions): INodeProperties =>
	optionsCollection(displayOptions, [
		brandOption,
		{
			displayName: 'Verbose',
			name: 'verbose',
			type: 'boolean',
			default: false,
			description: 'Whether to return the status of every subscription type that was changed',
		},
	]);
