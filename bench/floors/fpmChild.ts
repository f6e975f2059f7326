// A child of the FPM-like floor (bench/floors/fpm.ts): one application for its life, one request at a time.
import { answer, bootFloorApplication, matchFloorPath, NOT_FOUND } from './reads.js';

const app = await bootFloorApplication();
process.on('message', (message: { type: string; id: number; request: { path: string; query: string } }) => {
  if (message.type === 'shutdown') {
    void app.close().finally(() => process.exit(0));
    return;
  }
  const route = matchFloorPath(message.request.path);
  const answered = route ? answer(app, route.plural, route.source, route.locale, route.id, message.request.query) : Promise.resolve(NOT_FOUND);
  void answered.then((response) => process.send!({ type: 'response', id: message.id, response }));
});
process.on('SIGTERM', () => undefined); // the master decides when its children stop
process.on('SIGINT', () => undefined);
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
