// A small OData $filter parser and evaluator for the simulator: enough of OData v4 URL conventions §5.1.1 for the
// filters Graph documents on the resources we serve (eq/ne/gt/ge/lt/le, and/or/not, `in (...)`, startswith,
// endswith, lambda `any`, unquoted DateTimeOffset literals, property paths with `/`). Anything else is a
// FilterSyntaxError, which the routes answer with Graph's 400 `BadRequest` "Invalid filter clause".

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'date'; v: string }
  | { t: 'ident'; v: string }
  | { t: 'punc'; v: '(' | ')' | ',' | ':' };

export type Expr =
  | { k: 'lit'; v: unknown }
  | { k: 'path'; parts: string[] }
  | { k: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; a: Expr; b: Expr }
  | { k: 'in'; a: Expr; list: Expr[] }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'not'; a: Expr }
  | { k: 'fn'; name: 'startswith' | 'endswith' | 'contains'; args: Expr[] }
  | { k: 'any'; path: string[]; variable: string; body: Expr | undefined };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if ('(),:'.includes(c)) { out.push({ t: 'punc', v: c as '(' | ')' | ',' | ':' }); i++; continue; }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new FilterSyntaxError('unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") { s += "'"; i += 2; continue; }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9][0-9A-Za-z:.+-]*/.exec(src.slice(i));
      if (!m) throw new FilterSyntaxError(`unexpected character ${JSON.stringify(c)}`);
      const word = m[0];
      i += word.length;
      if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(word)) out.push({ t: 'date', v: word });
      else if (/^-?\d+(\.\d+)?$/.test(word)) out.push({ t: 'num', v: Number(word) });
      else if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(word)) out.push({ t: 'str', v: word });
      else throw new FilterSyntaxError(`bad literal ${JSON.stringify(word)}`);
      continue;
    }
    const m = /^[A-Za-z_$@][A-Za-z0-9_$@./]*/.exec(src.slice(i));
    if (!m) throw new FilterSyntaxError(`unexpected character ${JSON.stringify(c)}`);
    out.push({ t: 'ident', v: m[0] });
    i += m[0].length;
  }
  return out;
}

class Parser {
  #pos = 0;
  readonly #tokens: Token[];
  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }
  #peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }
  #next(): Token {
    const t = this.#tokens[this.#pos++];
    if (!t) throw new FilterSyntaxError('unexpected end of filter');
    return t;
  }
  #isWord(word: string): boolean {
    const t = this.#peek();
    return t?.t === 'ident' && t.v.toLowerCase() === word;
  }
  #expect(p: '(' | ')' | ',' | ':'): void {
    const t = this.#next();
    if (t.t !== 'punc' || t.v !== p) throw new FilterSyntaxError(`expected "${p}"`);
  }
  parse(): Expr {
    const e = this.#or();
    if (this.#peek()) throw new FilterSyntaxError('unexpected text after the filter expression');
    requireBoolean(e);
    return e;
  }
  #or(): Expr {
    let a = this.#and();
    while (this.#isWord('or')) { this.#next(); a = { k: 'or', a, b: this.#and() }; }
    return a;
  }
  #and(): Expr {
    let a = this.#unary();
    while (this.#isWord('and')) { this.#next(); a = { k: 'and', a, b: this.#unary() }; }
    return a;
  }
  #unary(): Expr {
    if (this.#isWord('not')) { this.#next(); return { k: 'not', a: this.#unary() }; }
    return this.#comparison();
  }
  #comparison(): Expr {
    const a = this.#operand();
    const t = this.#peek();
    if (t?.t === 'ident') {
      const op = t.v.toLowerCase();
      if (['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) {
        this.#next();
        return { k: 'cmp', op: op as 'eq', a, b: this.#operand() };
      }
      if (op === 'in') {
        this.#next();
        this.#expect('(');
        const list: Expr[] = [this.#operand()];
        while (this.#peek()?.t === 'punc' && (this.#peek() as { v: string }).v === ',') { this.#next(); list.push(this.#operand()); }
        this.#expect(')');
        return { k: 'in', a, list };
      }
    }
    return a;
  }
  #operand(): Expr {
    const t = this.#next();
    switch (t.t) {
      case 'str': return { k: 'lit', v: t.v };
      case 'num': return { k: 'lit', v: t.v };
      case 'date': return { k: 'lit', v: t.v };
      case 'punc':
        if (t.v === '(') {
          const e = this.#or();
          this.#expect(')');
          return e;
        }
        throw new FilterSyntaxError(`unexpected "${t.v}"`);
      case 'ident': {
        const low = t.v.toLowerCase();
        if (low === 'true' || low === 'false') return { k: 'lit', v: low === 'true' };
        if (low === 'null') return { k: 'lit', v: null };
        const next = this.#peek();
        if (next?.t === 'punc' && next.v === '(') {
          if (['startswith', 'endswith', 'contains'].includes(low)) {
            this.#next();
            const args = [this.#operand()];
            this.#expect(',');
            args.push(this.#operand());
            this.#expect(')');
            return { k: 'fn', name: low as 'startswith', args };
          }
          const lambda = /^(.*)\/(any)$/i.exec(t.v);
          if (lambda) {
            this.#next();
            if (this.#peek()?.t === 'punc' && (this.#peek() as { v: string }).v === ')') {
              this.#next();
              return { k: 'any', path: lambda[1]!.split('/'), variable: '', body: undefined };
            }
            const v = this.#next();
            if (v.t !== 'ident') throw new FilterSyntaxError('expected a lambda variable');
            this.#expect(':');
            const body = this.#or();
            this.#expect(')');
            return { k: 'any', path: lambda[1]!.split('/'), variable: v.v, body };
          }
          throw new FilterSyntaxError(`unsupported function ${t.v}`);
        }
        return { k: 'path', parts: t.v.split('/') };
      }
    }
  }
}

/** A filter (and each operand of and/or/not) must be a condition, not a bare property or literal. */
function requireBoolean(e: Expr): void {
  switch (e.k) {
    case 'and': case 'or': requireBoolean(e.a); requireBoolean(e.b); return;
    case 'not': requireBoolean(e.a); return;
    case 'path': case 'lit': throw new FilterSyntaxError('expected a condition such as "property eq value"');
    default: return;
  }
}

export function parseFilter(src: string): Expr {
  if (src.length > 4000) throw new FilterSyntaxError('filter too long');
  return new Parser(tokenize(src)).parse();
}

type Env = Record<string, unknown>;

function resolve(parts: string[], item: unknown, env: Env): unknown {
  let [head, ...rest] = parts;
  let node: unknown;
  if (head !== undefined && Object.prototype.hasOwnProperty.call(env, head)) node = env[head];
  else {
    node = item;
    rest = parts;
  }
  for (const p of rest) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}

function value(e: Expr, item: unknown, env: Env): unknown {
  switch (e.k) {
    case 'lit': return e.v;
    case 'path': return resolve(e.parts, item, env);
    default: return test(e, item, env);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T/;

/** Compares like Graph: instants by time, strings case-insensitively (UPNs and GUIDs are case-insensitive). */
function compare(a: unknown, b: unknown): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a === null || b === null) return a === b ? 0 : undefined;
  if (typeof a === 'string' && typeof b === 'string' && ISO.test(a) && ISO.test(b)) return Date.parse(a) - Date.parse(b);
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return undefined;
}

function test(e: Expr, item: unknown, env: Env): boolean {
  switch (e.k) {
    case 'and': return test(e.a, item, env) && test(e.b, item, env);
    case 'or': return test(e.a, item, env) || test(e.b, item, env);
    case 'not': return !test(e.a, item, env);
    case 'cmp': {
      const c = compare(value(e.a, item, env), value(e.b, item, env));
      if (c === undefined) return e.op === 'ne';
      switch (e.op) {
        case 'eq': return c === 0;
        case 'ne': return c !== 0;
        case 'gt': return c > 0;
        case 'ge': return c >= 0;
        case 'lt': return c < 0;
        case 'le': return c <= 0;
      }
      return false;
    }
    case 'in': {
      const v = value(e.a, item, env);
      return e.list.some((x) => compare(v, value(x, item, env)) === 0);
    }
    case 'fn': {
      const [a, b] = e.args.map((x) => value(x, item, env));
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return e.name === 'startswith' ? x.startsWith(y) : e.name === 'endswith' ? x.endsWith(y) : x.includes(y);
    }
    case 'any': {
      const list = resolve(e.path, item, env);
      if (!Array.isArray(list)) return false;
      if (!e.body) return list.length > 0;
      return list.some((el) => test(e.body!, item, { ...env, [e.variable]: el }));
    }
    default:
      return Boolean(value(e, item, env));
  }
}

/** True when `item` satisfies the filter. */
export function matchesFilter(expr: Expr, item: unknown): boolean {
  return test(expr, item, {});
}

/** Property paths the filter mentions (first segment), e.g. to check a filter only uses supported properties. */
export function filterProperties(expr: Expr, vars: Set<string> = new Set()): string[] {
  const out = new Set<string>();
  const walk = (e: Expr, scope: Set<string>): void => {
    switch (e.k) {
      case 'path': if (!scope.has(e.parts[0]!)) out.add(e.parts.join('/')); break;
      case 'cmp': case 'and': case 'or': walk(e.a, scope); walk(e.b, scope); break;
      case 'not': walk(e.a, scope); break;
      case 'in': walk(e.a, scope); e.list.forEach((x) => walk(x, scope)); break;
      case 'fn': e.args.forEach((x) => walk(x, scope)); break;
      case 'any': out.add(e.path.join('/')); if (e.body) walk(e.body, new Set([...scope, e.variable])); break;
      case 'lit': break;
    }
  };
  walk(expr, vars);
  return [...out];
}
