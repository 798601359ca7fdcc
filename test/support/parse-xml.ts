// Parses XML for assertions: fails on malformed input, and returns a plain tree.
import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';

/** One element: its tag, attributes, text content and child elements, in order. */
export interface XmlElement {
  readonly tag: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly XmlElement[];
}

type Ordered = Record<string, unknown>;

/** The document's root element. Throws when `xml` is not well-formed. */
export function parseXml(xml: string): XmlElement {
  // Throws with line and column when the document is not well-formed.
  SyntaxValidator.validate(xml);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    ignoreDeclaration: true,
    commentPropName: '#comment',
    // References are decoded below, the same way in attributes and text.
    processEntities: false,
  });
  const nodes = (parser.parse(xml) as Ordered[]).map(toElement).filter((n) => n !== null);
  const root = nodes[0];
  if (root === undefined) throw new Error('no root element');
  return root;
}

/** Every element below `root` (itself included) with tag `tag`. */
export function findAll(root: XmlElement, tag: string): XmlElement[] {
  const found = root.tag === tag ? [root] : [];
  return [...found, ...root.children.flatMap((child) => findAll(child, tag))];
}

/** All text below `element`, joined by spaces. */
export function textOf(element: XmlElement): string {
  return [element.text, ...element.children.map(textOf)].filter((t) => t !== '').join(' ');
}

function toElement(node: Ordered): XmlElement | null {
  const tag = Object.keys(node).find((key) => key !== ':@');
  if (tag === undefined || tag === '#text' || tag === '#comment' || tag.startsWith('!'))
    return null;
  const content = node[tag] as Ordered[];
  const raw = (node[':@'] ?? {}) as Record<string, string>;
  const attributes = Object.fromEntries(
    Object.entries(raw).map(([name, value]) => [name, decodeReferences(value)]),
  );
  const text = content
    .filter((child) => '#text' in child)
    .map((child) => decodeReferences(String(child['#text'])))
    .join('');
  const children = content.map(toElement).filter((child) => child !== null);
  return { tag, attributes, text, children };
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

// XML's five named entities and numeric character references (Graphviz writes `&#45;`).
function decodeReferences(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_all, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X'))
      return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return NAMED[ref] ?? `&${ref};`;
  });
}
