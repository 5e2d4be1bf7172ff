// A small vector index over text documents: TF-IDF term vectors compared by cosine similarity. No
// embedding model, no dependency: enough to find the few documents a question is about in a
// knowledge base of some thousands of short ones.

export interface IndexedDocument {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

export interface SearchHit {
  readonly document: IndexedDocument;
  /** Cosine similarity of the query's and the document's TF-IDF vectors: 0 (nothing shared) to 1. */
  readonly score: number;
}

export interface SearchOptions {
  /** The most documents to return. Default 3. */
  readonly limit?: number;
  /** Leave out documents that score lower. Default 0.05. */
  readonly minScore?: number;
}

const stopWords: ReadonlySet<string> = new Set(
  (
    "a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on " +
    "or our so than that the their them then there these they this to too up was we what when where which who " +
    "why will with you your"
  ).split(" "),
);

/** Lower-cased words, stop words dropped, plurals folded ("batteries" → "battery", "bikes" → "bike"). */
export function terms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const kept: string[] = [];
  for (const word of words) {
    if (word.length < 2 || stopWords.has(word)) continue;
    if (word.length > 4 && word.endsWith("ies")) kept.push(`${word.slice(0, -3)}y`);
    else if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) kept.push(word.slice(0, -1));
    else kept.push(word);
  }
  return kept;
}

/** Each term's weight in a text: 1 + ln(count), before the inverse document frequency. */
function termWeights(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  for (const [term, count] of counts) counts.set(term, 1 + Math.log(count));
  return counts;
}

interface Posting {
  readonly entry: number;
  readonly weight: number;
}

/**
 * The index: for each term, the documents holding it and its weight there (postings), and each
 * document's vector length. Built once, up front; `add` indexes one more document, and the
 * weights, which depend on every document, are worked out again before the next search.
 */
export class DocumentIndex {
  readonly #documents: IndexedDocument[] = [];
  readonly #postings = new Map<string, Posting[]>();
  #norms: number[] = [];
  #stale = false;

  /** Indexes the documents: the work done once, before the app serves. */
  static build(documents: readonly IndexedDocument[]): DocumentIndex {
    const index = new DocumentIndex();
    for (const document of documents) index.add(document);
    index.#reweigh();
    return index;
  }

  get size(): number {
    return this.#documents.length;
  }

  /** How many distinct terms the documents hold. */
  get vocabulary(): number {
    return this.#postings.size;
  }

  add(document: IndexedDocument): void {
    const entry = this.#documents.length;
    this.#documents.push(Object.freeze({ id: document.id, title: document.title, text: document.text }));
    for (const [term, weight] of termWeights(`${document.title}\n${document.text}`)) {
      const postings = this.#postings.get(term);
      if (postings === undefined) this.#postings.set(term, [{ entry, weight }]);
      else postings.push({ entry, weight });
    }
    this.#stale = true;
  }

  clear(): void {
    this.#documents.length = 0;
    this.#postings.clear();
    this.#norms = [];
    this.#stale = false;
  }

  /** The documents most like `query`, best first. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 3;
    const minScore = options.minScore ?? 0.05;
    if (this.#stale) this.#reweigh();
    const dots = new Map<number, number>();
    let queryNorm = 0;
    for (const [term, weight] of termWeights(query)) {
      const postings = this.#postings.get(term);
      if (postings === undefined) continue;
      const idf = this.#idf(postings.length);
      const queryWeight = weight * idf;
      queryNorm += queryWeight * queryWeight;
      for (const { entry, weight: documentWeight } of postings)
        dots.set(entry, (dots.get(entry) ?? 0) + queryWeight * documentWeight * idf);
    }
    if (queryNorm === 0) return [];
    const hits: SearchHit[] = [];
    for (const [entry, dot] of dots) {
      const score = dot / (Math.sqrt(queryNorm) * (this.#norms[entry] ?? 1));
      if (score >= minScore) hits.push({ document: this.#documents[entry] as IndexedDocument, score });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  /** Smoothed inverse document frequency: rarer terms weigh more. */
  #idf(documentFrequency: number): number {
    return Math.log((1 + this.#documents.length) / (1 + documentFrequency)) + 1;
  }

  #reweigh(): void {
    const squares = new Array<number>(this.#documents.length).fill(0);
    for (const postings of this.#postings.values()) {
      const idf = this.#idf(postings.length);
      for (const { entry, weight } of postings) squares[entry] = (squares[entry] ?? 0) + (weight * idf) ** 2;
    }
    this.#norms = squares.map(Math.sqrt);
    this.#stale = false;
  }
}
