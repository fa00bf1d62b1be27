/**
 * Run the stand-in as a local sandbox HubSpot account:
 *   npx tsx test/hubspot-standin/cli.ts [--port 4010] [--host 127.0.0.1] [--no-gdpr] [--no-rate-limit]
 *                                       [--latency 20,80] [--rate-limit 100/10000] [--oauth-client id:secret:refreshToken]
 * Prints the URL and the accepted tokens; stops on SIGINT / SIGTERM.
 */
import { startHubSpotStandIn } from './server';
import { ALL_SCOPES } from './seed';
import type { StandInOptions } from './types';

function parseArgs(argv: string[]): StandInOptions {
	const opts: StandInOptions = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const next = (): string => {
			const v = argv[++i];
			if (v === undefined) throw new Error(`${a} needs a value`);
			return v;
		};
		if (a === '--port') opts.port = Number(next());
		else if (a === '--host') opts.host = next();
		else if (a === '--no-gdpr') opts.gdprEnabled = false;
		else if (a === '--no-rate-limit') opts.rateLimit = false;
		else if (a === '--rate-limit') {
			// requests per window in ms, e.g. 100/10000 (HubSpot's) or 100/1000 (the same shape, 10x faster)
			const [maxRequests, windowMs] = next().split('/').map(Number);
			opts.rateLimit = { maxRequests, windowMs: windowMs || 10_000 };
		} else if (a === '--latency') {
			const [lo, hi] = next().split(',').map(Number);
			opts.latencyMs = [lo, hi ?? lo];
		} else if (a === '--oauth-client') {
			const [clientId, clientSecret, refreshToken] = next().split(':');
			opts.oauth = {
				clientId,
				clientSecret,
				refreshTokens: refreshToken ? { [refreshToken]: [...ALL_SCOPES] } : {},
			};
		} else if (a === '--help' || a === '-h') {
			process.stdout.write(
				'usage: tsx test/hubspot-standin/cli.ts [--port N] [--host H] [--no-gdpr] [--no-rate-limit] [--rate-limit max/windowMs] [--latency lo,hi] [--oauth-client id:secret:refreshToken]\n',
			);
			process.exit(0);
		} else throw new Error(`unknown argument ${a}`);
	}
	if (
		opts.port !== undefined &&
		!(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536)
	)
		throw new Error('--port must be 0..65535');
	return opts;
}

async function main(): Promise<void> {
	const standIn = await startHubSpotStandIn(parseArgs(process.argv.slice(2)));
	process.stdout.write(`HubSpot stand-in listening at ${standIn.url}\n`);
	process.stdout.write('Accepted Bearer tokens (sandbox only):\n');
	for (const [token, scopes] of Object.entries(standIn.acceptedTokens())) {
		process.stdout.write(
			`  ${token}  (${scopes.length} scopes${scopes.some((s) => s.includes('batch')) ? ', incl. batch' : ', no batch scopes'})\n`,
		);
	}
	process.stdout.write(
		`Control: GET ${standIn.url}/_standin/state, POST ${standIn.url}/_standin/reset\n`,
	);
	process.stdout.write(
		`Outage: POST ${standIn.url}/_standin/outage {"mode": "http-503" | "daily-limit" | "off", "scope": "all" | "writes"}\n`,
	);
	let stopping = false;
	const stop = (signal: string): void => {
		if (stopping) return;
		stopping = true;
		process.stdout.write(`\n${signal}: stopping stand-in\n`);
		standIn.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
	process.stderr.write(`stand-in: ${e instanceof Error ? e.message : String(e)}\n`);
	process.exit(1);
});
