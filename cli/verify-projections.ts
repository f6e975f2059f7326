// `make verify-projections`: every id and every page of every entity, MySQL against the projections; prints the
// mismatches and their count, exits 1 when there is any.
import { createApplication, loadConfig, verifyReadModel } from '../core/index.js';
import { runCli } from './cli.js';
import { createProgress } from './progress.js';

const SHOW = 20;

runCli(async () => {
  // Every page by offset, as deep as the table goes: past DB_MAX_OFFSET too (the API's bound, not the verifier's).
  const app = createApplication({ ...loadConfig(), dbMaxOffset: Number.MAX_SAFE_INTEGER });
  try {
    await app.connectRedis();
    const progress = createProgress();
    let verification;
    try {
      verification = await verifyReadModel(app, (entity, done, total) => progress.update(`verify ${entity}`, done, total));
    } finally {
      progress.stop();
    }
    const { compared, mismatches } = verification;
    for (const m of mismatches.slice(0, SHOW)) {
      console.log(`${m.entity} ${m.where}\n  database:   ${m.database}\n  projection: ${m.projection}`);
    }
    if (mismatches.length > SHOW) console.log(`… and ${mismatches.length - SHOW} more`);
    console.log(`verify-projections: ${compared.ids} ids and ${compared.pages} pages compared, ${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}`);
    return mismatches.length === 0 ? 0 : 1;
  } finally {
    await app.close();
  }
});
