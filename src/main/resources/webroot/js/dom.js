/*
 * Building the page's DOM. Every value from the engine goes in through textContent or
 * setAttribute: entity names are data, never markup.
 */
import { SEVERITY_RANK, state } from './state.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function $(id) {
  return document.getElementById(id);
}

/** An element with attributes and children; strings become text nodes. */
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

export function svg(tag, attrs, children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  if (!attrs) return;
  Object.keys(attrs).forEach(function (k) {
    const v = attrs[k];
    if (v === null || v === undefined || v === false) return;
    if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, String(v));
  });
}

function append(node, children) {
  if (children === null || children === undefined) return;
  (Array.isArray(children) ? children : [children]).forEach(function (c) {
    if (c === null || c === undefined || c === false) return;
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  });
}

export function setText(id, text, title) {
  const node = $(id);
  node.textContent = text;
  if (title !== undefined) node.title = title;
}

/** aria-pressed on the buttons of a segmented control: only the one whose data-{key} is value. */
export function pressOnly(groupId, key, value) {
  Array.prototype.forEach.call($(groupId).querySelectorAll('button'), function (b) {
    b.setAttribute('aria-pressed', String(b.dataset[key] === value));
  });
}

export function severityBadge(severity) {
  const s = SEVERITY_RANK[severity] ? severity : 'info';
  return el('span', { 'class': 'badge sev-' + s, text: severity || '?' });
}

/** Highlights, once, an item that just changed live. */
export function flash(node, key) {
  if (state.fresh.has(key)) node.classList.add('flash');
}
