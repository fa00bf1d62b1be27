import type { Profiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';

/**
 * Runs `work` under V8's sampling profiler and splits the main thread's busy time between
 * the package's own code and everything else (n8n-core, n8n-workflow, Node's HTTP stack, GC).
 * A sample in a built-in (JSON.stringify, a RegExp) counts for the JavaScript function that
 * called it; garbage collection counts for nobody in particular.
 */
export async function profileOwnCode(
	work: () => Promise<unknown>,
	isOwn: (url: string) => boolean,
) {
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	await session.post('Profiler.setSamplingInterval', { interval: 100 }); // µs
	await session.post('Profiler.start');
	let profile: Profiler.Profile;
	try {
		await work();
	} finally {
		({ profile } = await session.post('Profiler.stop'));
		session.disconnect();
	}
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parentOf.set(child, node.id);
	const kindOf = new Map<number, 'own' | 'other' | 'idle'>();
	const classify = (id: number): 'own' | 'other' | 'idle' => {
		const known = kindOf.get(id);
		if (known) return known;
		const node = byId.get(id)!;
		let kind: 'own' | 'other' | 'idle';
		if (node.callFrame.functionName === '(idle)') kind = 'idle';
		else if (node.callFrame.url) kind = isOwn(node.callFrame.url) ? 'own' : 'other';
		else kind = parentOf.has(id) ? classify(parentOf.get(id)!) : 'other';
		kindOf.set(id, kind);
		return kind;
	};
	const microseconds = { own: 0, other: 0, idle: 0 };
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	for (let index = 0; index < samples.length; index++)
		microseconds[classify(samples[index])] += deltas[index] ?? 0;
	return { ownMs: microseconds.own / 1000, busyMs: (microseconds.own + microseconds.other) / 1000 };
}
