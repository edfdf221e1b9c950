-- ISO 14083 figures per prediction (docs/emissions.md): tank-to-wheel, well-to-tank and their sum,
-- well-to-wheel, with the factor set they came from; co2_kg is the figure on `basis`
-- (emissions.basis). Rows made before this version have basis null: at start the engine fills
-- their figures from their events and the factor tables, then moves co2_kg to the configured basis
-- (EmissionsBasisSync). The rollup triggers follow each update.
alter table predictions
  add column co2e_ttw_kg double precision,
  add column co2e_wtt_kg double precision,
  add column co2e_wtw_kg double precision,
  add column factor_set  text,
  add column basis       text check (basis in ('wtw', 'ttw'));

create index predictions_basis_idx on predictions (basis);
