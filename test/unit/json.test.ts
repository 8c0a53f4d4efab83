import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../../src/util/json';

describe('parseJsonLossless', () => {
  it('keeps integers beyond 2^53 exact as strings', () => {
    expect(parseJsonLossless('{"a":9007199254740993,"b":[-12345678901234567890],"c":1.5}')).toEqual({ a: '9007199254740993', b: ['-12345678901234567890'], c: 1.5 });
  });
  it('leaves safe numbers, strings with digits and floats alone', () => {
    expect(parseJsonLossless('{"s":"id 12345678901234567890","n":1234567890123456,"f":12345678901234567.5e2}')).toEqual({
      s: 'id 12345678901234567890',
      n: 1234567890123456,
      f: 12345678901234567.5e2,
    });
    expect(parseJsonLossless('{"esc":"a\\"12345678901234567890\\"","x":99999999999999999999}')).toEqual({ esc: 'a"12345678901234567890"', x: '99999999999999999999' });
  });
  it('still throws on invalid JSON', () => {
    expect(() => parseJsonLossless('{"a": 12345678901234567890')).toThrow();
  });
});
