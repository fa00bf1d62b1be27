// Peak memory of one Batch Write execution over many items, in a process of its own
// (the stand-in runs in another). Prints one JSON line.
import './lib/single-n8n';

import { hubspotMemoryRun } from './lib/memory-run';

const count = Number(process.argv[2] ?? 100_000);
hubspotMemoryRun(count).then(
	(result) => {
		process.stdout.write(`${JSON.stringify(result)}\n`);
		process.exit(0);
	},
	(error) => {
		process.stderr.write(`${String(error?.stack ?? error)}\n`);
		process.exit(1);
	},
);
