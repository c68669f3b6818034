-- Kosovo. The Office's published series carry figures for "Kosovo under
-- UNSCR 1244" under the code XKX, which M49 does not list; without an
-- area, an import refuses those rows as of an unknown area. It is kept
-- as the other areas that are not Member States are (00017): with its
-- names in the six languages and where it lies (Southern Europe), shown
-- apart and counted in no aggregate.

-- +goose Up
INSERT INTO areas (code, kind, m49, name_en, name_fr, name_es, name_ru, name_ar, name_zh, region_code, subregion_code) VALUES
    ('XKX', 'territory', NULL, 'Kosovo under UNSCR 1244', 'Kosovo au sens de la résolution 1244 du Conseil de sécurité',
     'Kosovo en virtud de la resolución 1244 del Consejo de Seguridad', 'Косово в соответствии с резолюцией 1244 Совета Безопасности',
     'كوسوفو بموجب قرار مجلس الأمن 1244', '安全理事会第1244号决议所指的科索沃', '150', '039');

-- +goose Down
DELETE FROM areas WHERE code = 'XKX';
