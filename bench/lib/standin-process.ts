import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export interface StandInProfile {
	maxRequests: number;
	windowMs: number;
	latencyMs: [number, number];
	rateLimit: boolean;
}

export interface StandInSummary {
	requestCount: number;
	requestsByStatus: Record<string, number>;
	statusCount: number;
}

/**
 * The HubSpot stand-in in a process of its own, so that the node's CPU and memory figures
 * measure n8n and the node, not the fake HubSpot.
 */
export class StandInProcess {
	private constructor(
		private readonly child: ChildProcess,
		readonly url: string,
	) {}

	static async start(profile: StandInProfile): Promise<StandInProcess> {
		const args = [
			join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
			join(root, 'test', 'hubspot-standin', 'cli.ts'),
			'--port',
			'0',
			'--latency',
			profile.latencyMs.join(','),
			...(profile.rateLimit
				? ['--rate-limit', `${profile.maxRequests}/${profile.windowMs}`]
				: ['--no-rate-limit']),
		];
		const child = spawn(process.execPath, args, {
			cwd: root,
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		const url = await new Promise<string>((resolve, reject) => {
			let output = '';
			child.stdout!.on('data', (chunk: Buffer) => {
				output += chunk.toString();
				const match = /listening at (http:\/\/\S+)/.exec(output);
				if (match) resolve(match[1]);
			});
			child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}: ${output}`)));
		});
		return new StandInProcess(child, url);
	}

	async summary(): Promise<StandInSummary> {
		const response = await fetch(`${this.url}/_standin/state?summary=true`);
		return (await response.json()) as StandInSummary;
	}

	async statuses(): Promise<
		Array<{ subscriberIdString: string; subscriptionId: number; status: string }>
	> {
		const response = await fetch(`${this.url}/_standin/state`);
		return (
			(await response.json()) as {
				statuses: Array<{ subscriberIdString: string; subscriptionId: number; status: string }>;
			}
		).statuses;
	}

	async stop() {
		await new Promise<void>((resolve) => {
			this.child.once('exit', () => resolve());
			this.child.kill('SIGTERM');
		});
	}
}
