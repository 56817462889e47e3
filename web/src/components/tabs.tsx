/** Tabs as WAI-ARIA describes them: arrow keys move between tabs, one panel shows at a time. */
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Tab {
  id: string;
  label: string;
  content: ReactNode;
}

/** WAI-ARIA tabs: arrow keys move between them, one panel shows at a time. */
export function Tabs({
  tabs,
  initial,
  selected: chosen,
  onSelect,
}: {
  tabs: Tab[];
  initial: string;
  /** Set with onSelect when the page also moves between tabs (the account page's side menu). */
  selected?: string;
  onSelect?: (id: string) => void;
}) {
  const [own, setOwn] = useState(initial);
  const selected = chosen ?? own;
  const setSelected = (id: string) => {
    setOwn(id);
    onSelect?.(id);
  };
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  function onKeyDown(event: KeyboardEvent, index: number) {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = tabs[(index + step + tabs.length) % tabs.length]!;
    setSelected(next.id);
    refs.current[next.id]?.focus();
  }

  return (
    <>
      <div role="tablist" className="tabs" aria-label="Account sections">
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            ref={(element) => {
              refs.current[tab.id] = element;
            }}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            className="tab"
            aria-selected={selected === tab.id}
            aria-controls={`panel-${tab.id}`}
            tabIndex={selected === tab.id ? 0 : -1}
            onClick={() => setSelected(tab.id)}
            onKeyDown={(event) => onKeyDown(event, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`panel-${tab.id}`}
          aria-labelledby={`tab-${tab.id}`}
          hidden={selected !== tab.id}
          className="tab-panel"
        >
          {selected === tab.id ? tab.content : null}
        </div>
      ))}
    </>
  );
}
