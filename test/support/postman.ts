import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import newman from 'newman';

// The original demo's Postman collection (test/fixtures, unchanged), run with newman against a runtime.
// Only `base_url` is given, as an environment variable that overrides the collection's own.

export const COLLECTION_PATH = fileURLToPath(new URL('../../../test/fixtures/original-postman-collection.json', import.meta.url));
export const COLLECTION_FOLDERS = ['Products', 'Customers', 'Orders', 'System'] as const;

export interface PostmanResult {
  readonly name: string;
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly error: string | undefined;
}

export function runCollection(baseUrl: string, folder?: string): Promise<PostmanResult[]> {
  const collection = JSON.parse(readFileSync(COLLECTION_PATH, 'utf8'));
  return new Promise((resolve, reject) => {
    newman.run(
      { collection, envVar: [{ key: 'base_url', value: baseUrl }], ...(folder && { folder }), reporters: [], timeoutRequest: 30_000 },
      (err, summary) => {
        if (err) {
          reject(err);
          return;
        }
        resolve(summary.run.executions.map((e) => ({
          name: e.item.name,
          method: e.request.method,
          url: e.request.url.toString(),
          status: e.response?.code,
          error: (e as { requestError?: Error }).requestError?.message,
        })));
      },
    );
  });
}
