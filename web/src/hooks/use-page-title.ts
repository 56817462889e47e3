import { useEffect } from 'react';
import { usePortalName } from '../config';

export function usePageTitle(title: string): void {
  const portalName = usePortalName();
  useEffect(() => {
    document.title = portalName ? `${title} – ${portalName}` : title;
  }, [title, portalName]);
}
