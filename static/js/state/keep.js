// Work a reader did survives a reload of the tab: imported weights and a training run are kept
// in sessionStorage beside what they belong to, and given back only to a page that opens on
// that same thing. What is kept is data, checked by the server again when it is used.
const PREFIX = 'rnn-unfolded:';

// false when the browser would not keep it (over its storage quota, or storage turned off)
export function remember(name, belongsTo, value) {
  try {
    sessionStorage.setItem(PREFIX + name, JSON.stringify({ belongsTo, value }));
    return true;
  } catch {
    forget(name);
    return false;
  }
}

export function recall(name, belongsTo) {
  try {
    const record = JSON.parse(sessionStorage.getItem(PREFIX + name));
    return record?.belongsTo === belongsTo ? record.value : null;
  } catch {
    return null;
  }
}

export function forget(name) {
  try {
    sessionStorage.removeItem(PREFIX + name);
  } catch { /* storage turned off: nothing was kept */ }
}
