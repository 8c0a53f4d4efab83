import { describe, expect, it } from 'vitest';
import { serializeCookieParam, serializeHeaderParam, serializePathParam, serializeQueryParam } from '../../src/adapters/rest/params';
import type { ParamStyle, RestParamPlan } from '../../src/adapters/rest/plan';

// The OpenAPI "Style Examples" table (RFC 6570 semantics, as corrected in OAS 3.1.1),
// for color = "blue", ["blue","black","brown"], {R:100,G:200,B:150}.
const PRIMITIVE = 'blue';
const ARRAY = ['blue', 'black', 'brown'];
const OBJECT = { R: 100, G: 200, B: 150 };

function param(inn: RestParamPlan['in'], style: ParamStyle, explode: boolean): RestParamPlan {
  return { name: 'color', argName: 'color', in: inn, style, explode, allowReserved: false, required: false, shape: 'primitive' };
}
const query = (style: ParamStyle, explode: boolean, v: unknown) => {
  const parts: string[] = [];
  serializeQueryParam(param('query', style, explode), v, parts);
  return parts.join('&');
};

describe('path parameters', () => {
  it.each([
    ['simple', false, '', 'blue', 'blue,black,brown', 'R,100,G,200,B,150'],
    ['simple', true, '', 'blue', 'blue,black,brown', 'R=100,G=200,B=150'],
    ['label', false, '', '.blue', '.blue,black,brown', '.R,100,G,200,B,150'],
    ['label', true, '', '.blue', '.blue.black.brown', '.R=100.G=200.B=150'],
    ['matrix', false, '', ';color=blue', ';color=blue,black,brown', ';color=R,100,G,200,B,150'],
    ['matrix', true, '', ';color=blue', ';color=blue;color=black;color=brown', ';R=100;G=200;B=150'],
  ] as const)('%s explode=%s', (style, explode, _x, p, a, o) => {
    const pp = param('path', style, explode);
    expect(serializePathParam(pp, PRIMITIVE)).toBe(p);
    expect(serializePathParam(pp, ARRAY)).toBe(a);
    expect(serializePathParam(pp, OBJECT)).toBe(o);
  });

  it('percent-encodes values so they cannot change the path', () => {
    const pp = param('path', 'simple', false);
    expect(serializePathParam(pp, '../admin')).toBe('..%2Fadmin');
    expect(serializePathParam(pp, 'a?x=1#y')).toBe('a%3Fx%3D1%23y');
    expect(serializePathParam(pp, 'http://evil')).toBe('http%3A%2F%2Fevil');
  });
});

describe('query parameters', () => {
  it('form', () => {
    expect(query('form', true, PRIMITIVE)).toBe('color=blue');
    expect(query('form', true, ARRAY)).toBe('color=blue&color=black&color=brown');
    expect(query('form', true, OBJECT)).toBe('R=100&G=200&B=150');
    expect(query('form', false, ARRAY)).toBe('color=blue,black,brown');
    expect(query('form', false, OBJECT)).toBe('color=R,100,G,200,B,150');
  });
  it('spaceDelimited, pipeDelimited, deepObject', () => {
    expect(query('spaceDelimited', false, ARRAY)).toBe('color=blue%20black%20brown');
    expect(query('pipeDelimited', false, ARRAY)).toBe('color=blue|black|brown');
    expect(query('deepObject', true, OBJECT)).toBe('color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150');
  });
  it('encodes reserved characters unless allowReserved', () => {
    expect(query('form', true, 'a&b=c')).toBe('color=a%26b%3Dc');
    const parts: string[] = [];
    serializeQueryParam({ ...param('query', 'form', true), allowReserved: true }, 'a/b:c', parts);
    expect(parts).toEqual(['color=a/b:c']);
  });
});

describe('header and cookie parameters', () => {
  it('header: simple', () => {
    expect(serializeHeaderParam(param('header', 'simple', false), ARRAY)).toBe('blue,black,brown');
    expect(serializeHeaderParam(param('header', 'simple', true), OBJECT)).toBe('R=100,G=200,B=150');
    expect(serializeHeaderParam(param('header', 'simple', false), OBJECT)).toBe('R,100,G,200,B,150');
  });
  it('cookie: form', () => {
    expect(serializeCookieParam(param('cookie', 'form', true), PRIMITIVE)).toBe('color=blue');
    expect(serializeCookieParam(param('cookie', 'form', false), ARRAY)).toBe('color=blue,black,brown');
  });
});
