import { expect } from 'chai';
import { jsonCodec, msgpackCodec, projectionCodec, type ProjectionCodec } from '../../../../core/projections/ProjectionCodec.js';

const order = {
  id: 42,
  customer_id: 7,
  customer_name: 'Café 😀 naïve e\u0301 𝄞 "quoted" \\ back',
  customer_email: 'a@example.com',
  order_number: 'ORD-000042',
  total_amount: '1234.50',
  status: 'pending',
  items: [
    { product_id: 3, name: 'Line 1\r\nline 2\ttab \u0000 nul \u2028', quantity: 2, price: '0.25', total: '0.50' },
    { product_id: 9, name: '€'.repeat(40), quantity: 1, price: '1234.00', total: '1234.00' },
  ],
  created_at: '2024-01-02T03:04:05Z',
  updated_at: '2024-01-02T03:04:05Z',
};
const product = { id: 1, name: 'Lamp', description: null, price: '9.99', stock: 0, created_at: '2024-01-02T03:04:05Z' };

/** The value as Redis gives it back: always bytes. */
const stored = (codec: ProjectionCodec, value: object): Buffer => {
  const encoded = codec.encode(value);
  return Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded, 'utf8');
};

describe('ProjectionCodec', () => {
  for (const codec of [msgpackCodec, jsonCodec]) {
    describe(codec.encoding, () => {
      it('a projection decodes to an equal object, serialised to the same JSON text', () => {
        for (const projection of [order, product, { id: 5 }]) {
          const decoded = codec.decode<typeof projection>(stored(codec, projection));
          expect(decoded).to.deep.equal(projection);
          expect(JSON.stringify(decoded)).to.equal(JSON.stringify(projection));
        }
      });
      it('a value that is not in this encoding does not decode', () => {
        expect(() => codec.decode(Buffer.from('neither msgpack nor JSON'))).to.throw();
      });
      it('is what projectionCodec gives for its encoding', () => {
        expect(projectionCodec(codec.encoding)).to.equal(codec);
      });
    });
  }

  it('json stores exactly JSON.stringify of the projection: the text a route sends', () => {
    expect(jsonCodec.encode(order)).to.equal(JSON.stringify(order));
    expect(stored(jsonCodec, order).toString('utf8')).to.equal(JSON.stringify(order));
  });

  it('msgpack stores binary, not the JSON text; each refuses the other encoding', () => {
    const packed = stored(msgpackCodec, order);
    expect(packed.toString('utf8')).to.not.equal(JSON.stringify(order));
    expect(() => jsonCodec.decode(packed)).to.throw();
    expect(() => msgpackCodec.decode(stored(jsonCodec, order))).to.throw();
  });
});
