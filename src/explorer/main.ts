// The explorer's entry point, loaded by the page the server sends browsers at /explorer and at API URLs.
import './styles.css';
import { placesOf } from './address.ts';
import { startExplorer } from './app.ts';

const root = document.getElementById('explorer');
if (root) startExplorer(root, placesOf(document.body));
