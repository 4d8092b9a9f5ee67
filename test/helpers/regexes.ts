// Finding the regular expressions a program uses, by reading its source with the TypeScript compiler, and
// judging them with recheck: what test/security/patterns.test.ts needs to prove that none can stall the server.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Diagnostics, checkSync } from 'recheck';
import ts from 'typescript';

export interface FoundPattern {
  source: string;
  flags: string;
  /** Where it was found, for the failure message. */
  where: string;
}

const at = (node: ts.Node) => {
  const file = node.getSourceFile();
  return `${relative(process.cwd(), file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};

function literal(node: ts.Expression | undefined): string | undefined {
  if (node === undefined) return '';
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
}

/**
 * The string a `new RegExp(…)` argument holds: a literal, or a constant exported by a module of ours (read by
 * importing that module, so a pattern computed at load, like a class of Unicode ranges, is judged as it runs).
 */
async function valueOf(node: ts.Expression | undefined, checker: ts.TypeChecker): Promise<string | undefined> {
  const plain = literal(node);
  if (plain !== undefined || node === undefined || !ts.isIdentifier(node)) return plain;
  let symbol = checker.getSymbolAtLocation(node);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  if (!symbol || !declaration || !ts.isVariableDeclaration(declaration)) return undefined;
  const initial = literal(declaration.initializer);
  if (initial !== undefined && declaration.initializer !== undefined) return initial;
  const module = (await import(pathToFileURL(declaration.getSourceFile().fileName).href)) as Record<string, unknown>;
  const value = module[symbol.name];
  return typeof value === 'string' ? value : undefined;
}

/** The methods of String that turn a string argument into a regular expression (`replace` and `split` do not). */
const STRING_AS_REGEX = new Set(['match', 'matchAll', 'search']);

/**
 * Every regular expression in the TypeScript files under `dir`: literals, `new RegExp(…)` and `RegExp(…)`, and
 * strings given to match/matchAll/search. One whose pattern cannot be told from the source is returned in
 * `unresolved`, for the caller to fail on: a pattern nobody can check is not known to be safe.
 */
export async function regexesInSource(dir: string): Promise<{ found: FoundPattern[]; unresolved: string[] }> {
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => resolve(dir, f));
  const program = ts.createProgram(files, {
    allowJs: false,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
  });
  const checker = program.getTypeChecker();
  const found: FoundPattern[] = [];
  const unresolved: string[] = [];
  const constructions: (ts.CallExpression | ts.NewExpression)[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) {
      const end = node.text.lastIndexOf('/');
      found.push({ source: node.text.slice(1, end), flags: node.text.slice(end + 1), where: at(node) });
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'RegExp'
    ) {
      constructions.push(node);
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      STRING_AS_REGEX.has(node.expression.name.text)
    ) {
      const argument = literal(node.arguments[0]);
      if (node.arguments[0] !== undefined && argument !== undefined)
        found.push({ source: argument, flags: '', where: at(node) });
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files) visit(program.getSourceFile(file)!);
  for (const node of constructions) {
    const [pattern, flags] = node.arguments ?? [];
    const source = await valueOf(pattern, checker);
    const flagText = await valueOf(flags, checker);
    if (source === undefined || flagText === undefined) unresolved.push(`${at(node)}: ${node.getText()}`);
    else found.push({ source, flags: flagText, where: at(node) });
  }
  return { found, unresolved };
}

/**
 * The regular expressions behind formats of ajv-formats (full mode): a format that is an expression is itself;
 * one that is a function is read from the package's source, as every expression in the top-level declarations
 * its entry in `fullFormats` names, and in those they name in turn.
 */
export function regexesOfFormats(names: readonly string[]): FoundPattern[] {
  const path = createRequire(import.meta.url).resolve('ajv-formats/dist/formats.js');
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const declarations = new Map<string, ts.Node>();
  let formats: ts.ObjectLiteralExpression | undefined;
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) declarations.set(statement.name.text, statement);
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) declarations.set(d.name.text, d);
    }
    if (
      ts.isExpressionStatement(statement) &&
      ts.isBinaryExpression(statement.expression) &&
      statement.expression.left.getText() === 'exports.fullFormats'
    ) {
      formats = statement.expression.right as ts.ObjectLiteralExpression;
    }
  }
  if (!formats) throw new Error(`no fullFormats in ${path}`);
  const found: FoundPattern[] = [];
  for (const name of names) {
    const entry = formats.properties.find(
      (p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name,
    );
    if (!entry) throw new Error(`ajv-formats has no format "${name}"`);
    const seen = new Set<ts.Node>();
    const walk = (node: ts.Node) => {
      if (seen.has(node)) return;
      seen.add(node);
      if (ts.isRegularExpressionLiteral(node)) {
        const end = node.text.lastIndexOf('/');
        found.push({
          source: node.text.slice(1, end),
          flags: node.text.slice(end + 1),
          where: `format ${name} (${relative(process.cwd(), path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1})`,
        });
      }
      if (ts.isIdentifier(node) && declarations.has(node.text)) walk(declarations.get(node.text)!);
      ts.forEachChild(node, walk);
    };
    walk(entry);
  }
  return found;
}

/**
 * The pattern with every upper bound of a repetition lifted (`{0,48}` becomes `*`, `{2,5}` becomes `{2,}`).
 * recheck's automaton checker cannot expand nested bounded repetitions in time; the lifted pattern it can judge,
 * and every path a backtracking matcher may take through the original is a path through the lifted one, so a
 * linear verdict on the lifted pattern holds for the original. (The converse fails: lifting can only raise false alarms.)
 */
export function liftBounds(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i]!;
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i += 1;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else {
      const bounded = /^\{(\d+),(\d*)\}/.exec(source.slice(i));
      if (!bounded) {
        out += c;
        continue;
      }
      const least = Number(bounded[1]);
      out += least === 0 ? '*' : least === 1 ? '+' : `{${least},}`;
      i += bounded[0].length - 1;
    }
  }
  return out;
}

/**
 * recheck's verdict by automata theory alone. Its default ("auto") falls back to fuzzing when a pattern is large,
 * and a fuzzer that finds no attack proves nothing: on this project's old tags pattern, quadratic on a run of
 * spaces, it answered "safe". So only the automaton checker is asked, on the pattern with its bounds lifted.
 */
export function verdict(pattern: { source: string; flags: string }): Diagnostics {
  return checkSync(liftBounds(pattern.source), pattern.flags, { checker: 'automaton', timeout: 20_000 });
}

/** The source files of the server: src/ (the explorer's browser code included; a regex there is ours too). */
export const SOURCE_DIR = join(import.meta.dirname, '..', '..', 'src');
