-- The Office's statistical desk: past series imported from the long format
-- the Office publishes its data in, the mapping of that format's
-- descriptions to the portal's series codes (docs/questionnaires.md),
-- the areas such files name that are not organizations of the portal
-- (parts of States, territories), the M49 regions and sub-regions named
-- in the six languages, and the history of the population table.
--
-- Territories and region names: the UN Statistics Division's M49 list
-- (official names in the six languages); the 54 areas of that list that
-- are neither UN Member States nor observer States.

-- +goose Up
CREATE TABLE m49_regions (
    code     text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
    parent   text REFERENCES m49_regions (code), -- the region of a sub-region
    position integer NOT NULL UNIQUE,
    name_en  text NOT NULL, name_fr text NOT NULL, name_es text NOT NULL,
    name_ru  text NOT NULL, name_ar text NOT NULL, name_zh text NOT NULL
);
INSERT INTO m49_regions (code, parent, position, name_en, name_fr, name_es, name_ru, name_ar, name_zh) VALUES
    ('002', NULL, 1, 'Africa', 'Afrique', 'África', 'Африка', 'أفريقيا', '非洲'),
    ('019', NULL, 2, 'Americas', 'Amériques', 'Américas', 'Америка', 'الأمريكتان', '美洲'),
    ('142', NULL, 3, 'Asia', 'Asie', 'Asia', 'Азия', 'آسيا', '亚洲'),
    ('150', NULL, 4, 'Europe', 'Europe', 'Europa', 'Европа', 'أوروبا', '欧洲'),
    ('009', NULL, 5, 'Oceania', 'Océanie', 'Oceanía', 'Океания', 'أوقيانوسيا', '大洋洲'),
    ('015', '002', 6, 'Northern Africa', 'Afrique du Nord', 'África septentrional', 'Северная Африка', 'شمال أفريقيا', '北非'),
    ('202', '002', 7, 'Sub-Saharan Africa', 'Afrique subsaharienne', 'África subsahariana', 'Африка к югу от Сахары', 'أفريقيا جنوب الصحراء الكبرى', '撒哈拉以南非洲'),
    ('021', '019', 8, 'Northern America', 'Amérique septentrionale', 'América septentrional', 'Северная Америка', 'أمريكا الشمالية', '北美'),
    ('419', '019', 9, 'Latin America and the Caribbean', 'Amérique latine et Caraïbes', 'América Latina y el Caribe', 'Латинская Америка и Карибский бассейн', 'أمريكا اللاتينية ومنطقة البحر الكاريبي', '拉丁美洲和加勒比'),
    ('143', '142', 10, 'Central Asia', 'Asie centrale', 'Asia central', 'Центральная Азия', 'آسيا الوسطى', '中亚'),
    ('030', '142', 11, 'Eastern Asia', 'Asie orientale', 'Asia oriental', 'Восточная Азия', 'شرق آسيا', '东亚'),
    ('035', '142', 12, 'South-eastern Asia', 'Asie du Sud-Est', 'Asia sudoriental', 'Юго-Восточная Азия', 'جنوب شرق آسيا', '东南亚'),
    ('034', '142', 13, 'Southern Asia', 'Asie du Sud', 'Asia meridional', 'Южная Азия', 'جنوب آسيا', '南亚'),
    ('145', '142', 14, 'Western Asia', 'Asie occidentale', 'Asia occidental', 'Западная Азия', 'غرب آسيا', '西亚'),
    ('151', '150', 15, 'Eastern Europe', 'Europe orientale', 'Europa oriental', 'Восточная Европа', 'أوروبا الشرقية', '东欧'),
    ('154', '150', 16, 'Northern Europe', 'Europe septentrionale', 'Europa septentrional', 'Северная Европа', 'أوروبا الشمالية', '北欧'),
    ('039', '150', 17, 'Southern Europe', 'Europe méridionale', 'Europa meridional', 'Южная Европа', 'أوروبا الجنوبية', '南欧'),
    ('155', '150', 18, 'Western Europe', 'Europe occidentale', 'Europa occidental', 'Западная Европа', 'أوروبا الغربية', '西欧'),
    ('053', '009', 19, 'Australia and New Zealand', 'Australie et Nouvelle-Zélande', 'Australia y Nueva Zelandia', 'Австралия и Новая Зеландия', 'أستراليا ونيوزيلندا', '澳大利亚和新西兰'),
    ('054', '009', 20, 'Melanesia', 'Mélanésie', 'Melanesia', 'Меланезия', 'ميلانيزيا', '美拉尼西亚'),
    ('057', '009', 21, 'Micronesia', 'Micronésie', 'Micronesia', 'Микронезия', 'ميكرونيزيا', '密克罗尼西亚'),
    ('061', '009', 22, 'Polynesia', 'Polynésie', 'Polinesia', 'Полинезия', 'بولينيزيا', '波利尼西亚');

-- Areas named by series that are not organizations: territories (by ISO
-- 3166-1 alpha-3) and parts of States (the Office's codes: GBR_E_W).
-- A part belongs to a State; the parts of a State flagged "covers"
-- together cover it, so their figures add up to the State's.
CREATE TABLE areas (
    code            text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}(_[A-Z0-9_]{1,20})?$'),
    kind            text NOT NULL CHECK (kind IN ('territory', 'part')),
    m49             text CHECK (m49 ~ '^[0-9]{3}$'),
    state_id        bigint REFERENCES organizations (id),
    covers          boolean NOT NULL DEFAULT false,
    name_en  text NOT NULL, name_fr text NOT NULL, name_es text NOT NULL,
    name_ru  text NOT NULL, name_ar text NOT NULL, name_zh text NOT NULL,
    region_code     text NOT NULL DEFAULT '',
    subregion_code  text NOT NULL DEFAULT '',
    CHECK ((kind = 'part') = (state_id IS NOT NULL)),
    CHECK (kind = 'part' OR NOT covers)
);
INSERT INTO areas (code, kind, m49, name_en, name_fr, name_es, name_ru, name_ar, name_zh, region_code, subregion_code) SELECT c, 'territory', m, en, fr, es, ru, ar, zh, r, s FROM (VALUES
    ('ATA', '010', 'Antarctica', 'Antarctique', 'Antártida', 'Антарктике', 'أنتاركتيكا', '南极洲', '', ''),
    ('ASM', '016', 'American Samoa', 'Samoa américaines', 'Samoa Americana', 'Американское Самоа', 'ساموا الأمريكية', '美属萨摩亚', '009', '061'),
    ('BMU', '060', 'Bermuda', 'Bermudes', 'Bermuda', 'Бермудские острова', 'برمودا', '百慕大', '019', '021'),
    ('BVT', '074', 'Bouvet Island', 'Île Bouvet', 'Isla Bouvet', 'Остров Буве', 'جزيرة بوفيت', '布维岛', '019', '419'),
    ('IOT', '086', 'British Indian Ocean Territory', 'Territoire britannique de l''océan Indien', 'Territorio Británico del Océano Índico', 'Британская территория в Индийском океане', 'المحيط الهندي الإقليم البريطاني في', '英属印度洋领土', '002', '202'),
    ('VGB', '092', 'British Virgin Islands', 'Îles Vierges britanniques', 'Islas Vírgenes Británicas', 'Британские Виргинские острова', 'جزر فرجن البريطانية', '英属维尔京群岛', '019', '419'),
    ('CYM', '136', 'Cayman Islands', 'Îles Caïmanes', 'Islas Caimán', 'Кайман острова', 'جزر كايمان', '开曼群岛', '019', '419'),
    ('TWN', '158', 'Taiwan', 'Taïwan', 'Taiwán', 'Тайвань', 'تايوان', '台湾', '142', '030'),
    ('CXR', '162', 'Christmas Island', 'Île Christmas', 'Isla Christmas', 'остров Рождества', 'جزيرة عيد الميلاد', '圣诞岛', '009', '053'),
    ('CCK', '166', 'Cocos (Keeling) Islands', 'Îles des Cocos (Keeling)', 'Islas Cocos (Keeling)', 'Кокосовых (Килинг) островов', 'جزر كوكس (كيلينغ)', '科科斯（基林）群岛', '009', '053'),
    ('MYT', '175', 'Mayotte', 'Mayotte', 'Mayotte', 'Остров Майотта', 'مايوت', '马约特', '002', '202'),
    ('COK', '184', 'Cook Islands', 'Îles Cook', 'Islas Cook', 'Острова Кука', 'جزر كوك', '库克群岛', '009', '061'),
    ('FRO', '234', 'Faroe Islands', 'Îles Féroé', 'Islas Feroe', 'Фарерские острова', 'جزر فايرو', '法罗群岛', '150', '154'),
    ('FLK', '238', 'Falkland Islands', 'Îles Falkland (Malvinas)', 'Islas Malvinas (Falkland)', 'Фолклендские (Мальвинские) острова', 'جزر فوكلاند (مالفيناس)', '福克兰群岛（马尔维纳斯）', '019', '419'),
    ('SGS', '239', 'South Georgia and the South Sandwich Islands', 'Géorgie du Sud-et-les Îles Sandwich du Sud', 'Georgia del Sur y las Islas Sandwich del Sur', 'Южная Джорджия и Южные Сандвичевы острова', 'جورجيا الجنوبية وجزر ساندويتش الجنوبية', '南乔治亚岛和南桑德韦奇岛', '019', '419'),
    ('ALA', '248', 'Åland Islands', 'Îles d’Åland', 'Islas Åland', 'Аландских островов', 'جزر ألاند', '奥兰群岛', '150', '154'),
    ('GUF', '254', 'French Guiana', 'Guyane française', 'Guayana Francesa', 'Французская Гвиана', 'غيانا الفرنسية', '法属圭亚那', '019', '419'),
    ('PYF', '258', 'French Polynesia', 'Polynésie française', 'Polinesia Francesa', 'Французская Полинезия', 'بولينيزيا الفرنسية', '法属波利尼西亚', '009', '061'),
    ('ATF', '260', 'French Southern Territories', 'Terres australes françaises', 'Territorio de las Tierras Australes Francesas', 'Южные земли (французская заморская территория)', 'الأراضي الفرنسية الجنوبية الجنوبية', '法属南方领地', '002', '202'),
    ('GIB', '292', 'Gibraltar', 'Gibraltar', 'Gibraltar', 'Гибралтар', 'جبل طارق', '直布罗陀', '150', '039'),
    ('GRL', '304', 'Greenland', 'Groenland', 'Groenlandia', 'Гренландия', 'غرينلند', '格陵兰', '019', '021'),
    ('GLP', '312', 'Guadeloupe', 'Guadeloupe', 'Guadalupe', 'Гваделупа', 'غوادلوب', '瓜德罗普', '019', '419'),
    ('GUM', '316', 'Guam', 'Guam', 'Guam', 'Гуам', 'غوام', '关岛', '009', '057'),
    ('HMD', '334', 'Heard Island and McDonald Islands', 'Île Heard-et-Îles MacDonald', 'Islas Heard y McDonald', 'Остров Херд и острова Макдональд', 'جزيرة هيرد وجزر ماكدونالد', '赫德岛和麦克唐纳岛', '009', '053'),
    ('HKG', '344', 'China, Hong Kong Special Administrative Region', 'Chine, région administrative spéciale de Hong Kong', 'China, región administrativa especial de Hong Kong', 'Китай, Специальный административный район Гонконг', 'الصين، منطقة هونغ كونغ الإدارية الخاصة', '中国香港特别行政区', '142', '030'),
    ('MAC', '446', 'China, Macao Special Administrative Region', 'Chine, région administrative spéciale de Macao', 'China, región administrativa especial de Macao', 'Китай, Специальный административный район Макао', 'الصين، منطقة ماكاو الإدارية الخاصة', '中国澳门特别行政区', '142', '030'),
    ('MTQ', '474', 'Martinique', 'Martinique', 'Martinica', 'Мартиника', 'مارتينيك', '马提尼克', '019', '419'),
    ('MSR', '500', 'Montserrat', 'Montserrat', 'Montserrat', 'Монтсеррат', 'مونتسيرات', '蒙特塞拉特', '019', '419'),
    ('CUW', '531', 'Curaçao', 'Curaçao', 'Curazao', 'Кюрасао', 'كوراساو', '库拉索', '019', '419'),
    ('ABW', '533', 'Aruba', 'Aruba', 'Aruba', 'Аруба', 'أروبا', '阿鲁巴', '019', '419'),
    ('SXM', '534', 'Sint Maarten (Dutch part)', 'Saint-Martin (partie néerlandaise)', 'San Martín (parte Holandesa)', 'Синт-Мартен (нидерландская часть)', 'سانت مارتن (الجزء الهولندي)', '圣马丁（荷属）', '019', '419'),
    ('BES', '535', 'Bonaire, Sint Eustatius and Saba', 'Bonaire, Saint-Eustache et Saba', 'Bonaire, San Eustaquio y Saba', 'Бонайре, Синт-Эстатиус и Саба', 'بونير وسانت يوستاشيوس وسابا', '博纳尔，圣俄斯塔休斯和萨巴', '019', '419'),
    ('NCL', '540', 'New Caledonia', 'Nouvelle-Calédonie', 'Nueva Caledonia', 'Новая Каледония', 'كاليدونيا الجديدة', '新喀里多尼亚', '009', '054'),
    ('NIU', '570', 'Niue', 'Nioué', 'Niue', 'Ниуэ', 'نيوي', '纽埃', '009', '061'),
    ('NFK', '574', 'Norfolk Island', 'Île Norfolk', 'Isla Norfolk', 'Остров Норфолк', 'جزيرة نورفولك', '诺福克岛', '009', '053'),
    ('MNP', '580', 'Northern Mariana Islands', 'Îles Mariannes du Nord', 'Islas Marianas Septentrionales', 'Северные Марианские острова', 'جزر ماريانا الشمالية', '北马里亚纳群岛', '009', '057'),
    ('UMI', '581', 'United States Minor Outlying Islands', 'Îles mineures éloignées des États-Unis', 'Islas menores alejadas de Estados Unidos', 'Внешние малые острова Соединенных Штатов', 'نائية التابعة للولايات المتحدة', '美国本土外小岛屿', '009', '057'),
    ('PCN', '612', 'Pitcairn', 'Pitcairn', 'Pitcairn', 'Питкэрн', 'بيتكرن', '皮特凯恩', '009', '061'),
    ('PRI', '630', 'Puerto Rico', 'Porto Rico', 'Puerto Rico', 'Пуэрто-Рико', 'بورتوريكو', '波多黎各', '019', '419'),
    ('REU', '638', 'Réunion', 'Réunion', 'Reunión', 'Реюньон', 'ريونيون', '留尼汪', '002', '202'),
    ('BLM', '652', 'Saint Barthélemy', 'Saint-Barthélemy', 'San Barthélemy', 'Сен-Бартелеми', 'سان بارتليمي', '圣巴泰勒米', '019', '419'),
    ('SHN', '654', 'Saint Helena', 'Sainte-Hélène', 'Santa Elena', 'Остров Святой Елены', 'سانت هيلانة', '圣赫勒拿', '002', '202'),
    ('AIA', '660', 'Anguilla', 'Anguilla', 'Anguila', 'Ангилья', 'أنغويلا', '安圭拉', '019', '419'),
    ('MAF', '663', 'Saint Martin (French Part)', 'Saint-Martin (partie française)', 'San Martín (parte francesa)', 'Сен-Мартен (французская часть)', 'سانت مارتن (الجزء الفرنسي)', '圣马丁（法属）', '019', '419'),
    ('SPM', '666', 'Saint Pierre and Miquelon', 'Saint-Pierre-et-Miquelon', 'San Pedro y Miquelón', 'Сен-Пьер и Микелон', 'سان بيير وميكلون', '圣皮埃尔和密克隆', '019', '021'),
    ('ESH', '732', 'Western Sahara', 'Sahara occidental', 'Sáhara Occidental', 'Западная Сахара', 'الصحراء الغربية', '西撒哈拉', '002', '015'),
    ('SJM', '744', 'Svalbard and Jan Mayen Islands', 'Îles Svalbard-et-Jan Mayen', 'Islas Svalbard y Jan Mayen', 'Острова Свальбард и Ян-Майен', 'جزيرتي سفالبارد وجان مايِن', '斯瓦尔巴群岛和扬马延岛', '150', '154'),
    ('TKL', '772', 'Tokelau', 'Tokélaou', 'Tokelau', 'Токелау', 'توكيلاو', '托克劳', '009', '061'),
    ('TCA', '796', 'Turks and Caicos Islands', 'Îles Turques-et-Caïques', 'Islas Turcas y Caicos', 'Острова Теркс и Кайкос', 'جزر تركس وكايكوس', '特克斯和凯科斯群岛', '019', '419'),
    ('GGY', '831', 'Guernsey', 'Guernesey', 'Guernsey', 'Гернси', 'غيرنسي', '格恩西', '150', '154'),
    ('JEY', '832', 'Jersey', 'Jersey', 'Jersey', 'Джерси', 'جيرسي', '泽西', '150', '154'),
    ('IMN', '833', 'Isle of Man', 'Île de Man', 'Isla de Man', 'Остров Мэн', 'جزيرة مان', '马恩岛', '150', '154'),
    ('VIR', '850', 'United States Virgin Islands', 'Îles Vierges américaines', 'Islas Vírgenes de los Estados Unidos', 'Виргинские острова Соединенных Штатов', 'جزر فرجن التابعة للولايات المتحدة', '美属维尔京群岛', '019', '419'),
    ('WLF', '876', 'Wallis and Futuna Islands', 'Îles Wallis-et-Futuna', 'Islas Wallis y Futuna', 'Острова Уоллис и Футуна', 'جزر واليس وفوتونا', '瓦利斯群岛和富图纳群岛', '009', '061')) AS t (c, m, en, fr, es, ru, ar, zh, r, s);
INSERT INTO areas (code, kind, state_id, covers, name_en, name_fr, name_es, name_ru, name_ar, name_zh)
SELECT p.code, 'part', o.id, true, p.en, p.fr, p.es, p.ru, p.ar, p.zh FROM (VALUES
    ('GBR_E_W', 'England and Wales', 'Angleterre et pays de Galles', 'Inglaterra y Gales', 'Англия и Уэльс', 'إنكلترا وويلز', '英格兰和威尔士'),
    ('GBR_S', 'Scotland', 'Écosse', 'Escocia', 'Шотландия', 'اسكتلندا', '苏格兰'),
    ('GBR_NI', 'Northern Ireland', 'Irlande du Nord', 'Irlanda del Norte', 'Северная Ирландия', 'آيرلندا الشمالية', '北爱尔兰')
) AS p (code, en, fr, es, ru, ar, zh) JOIN organizations o ON o.code = 'GBR';

-- One import of a long-format file: what it was, who confirmed it, and
-- whether it has been withdrawn (its figures then count no more; they
-- are kept).
CREATE TABLE series_imports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference     text NOT NULL UNIQUE CHECK (reference ~ '^IMP-[0-9]{4}-[0-9]{4,}$'),
    file_name     text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    checksum      text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    rows_read     integer NOT NULL CHECK (rows_read >= 0),
    rows_taken    integer NOT NULL CHECK (rows_taken >= 0),
    rows_refused  integer NOT NULL CHECK (rows_refused >= 0),
    imported_at   timestamptz NOT NULL DEFAULT now(),
    imported_by   text NOT NULL,
    withdrawn_at  timestamptz,
    withdrawn_by  text,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
);

-- The figures an import brought: only those that changed what the portal
-- held (a second import of the same file brings none). Never updated.
CREATE TABLE imported_figures (
    import_id       bigint NOT NULL REFERENCES series_imports (id),
    series          text NOT NULL CHECK (series ~ '^[a-z][a-z0-9_]*/[a-z0-9][a-z0-9_-]*(/[a-z][a-z0-9_]*:[a-z][a-z0-9_]*)?$'),
    area            text NOT NULL CHECK (area ~ '^[A-Z]{3}(_[A-Z0-9_]{1,20})?$'),
    organization_id bigint REFERENCES organizations (id), -- the State, for a State's figure
    year            integer NOT NULL CHECK (year BETWEEN 1900 AND 2100),
    value           numeric NOT NULL CHECK (value >= 0),
    estimate        boolean NOT NULL, -- not a whole number: an adjusted estimate, kept as given
    source          text NOT NULL CHECK (length(source) <= 500),
    line            integer NOT NULL,
    PRIMARY KEY (import_id, series, area, year)
);
CREATE INDEX imported_figures_series ON imported_figures (series, area, year);

-- A file uploaded for import: its rows as read (the reader's refusals
-- with them), for the dry run and the confirmation, which may come to
-- another replica. Its rows are deleted when it is confirmed (import_id
-- then says as what, for a second click), the upload after a day; never
-- figures.
CREATE TABLE import_uploads (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token       text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{22,64}$'),
    file_name   text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    checksum    text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    rows_read   integer NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    uploaded_by text NOT NULL,
    import_id   bigint REFERENCES series_imports (id)
);
CREATE TABLE import_upload_rows (
    upload_id  bigint NOT NULL REFERENCES import_uploads (id) ON DELETE CASCADE,
    line       integer NOT NULL,
    area       text NOT NULL,
    area_name  text NOT NULL,
    indicator  text NOT NULL,
    dimension  text NOT NULL,
    category   text NOT NULL,
    sex        text NOT NULL,
    age        text NOT NULL,
    unit       text NOT NULL,
    year       integer,
    value      numeric,
    estimate   boolean NOT NULL,
    source     text NOT NULL,
    problem    text NOT NULL DEFAULT '', -- the reader's reason for refusing the row
    PRIMARY KEY (upload_id, line)
);

-- How the long format's descriptions map to series codes, kept and
-- reused by the next import. series NULL: rows so described are not
-- taken (a series the portal does not hold).
CREATE TABLE series_mappings (
    indicator  text NOT NULL CHECK (length(indicator) <= 500),
    dimension  text NOT NULL CHECK (length(dimension) <= 500),
    category   text NOT NULL CHECK (length(category) <= 500),
    sex        text NOT NULL CHECK (length(sex) <= 500),
    age        text NOT NULL CHECK (length(age) <= 500),
    series     text CHECK (series ~ '^[a-z][a-z0-9_]*/'),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    PRIMARY KEY (indicator, dimension, category, sex, age)
);

-- The population table keeps its history: each figure replaced or
-- removed, with the upload that gave it.
CREATE TABLE population_uploads (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('table', 'wpp')),
    file_name   text NOT NULL DEFAULT '',
    rows        integer NOT NULL CHECK (rows >= 0),
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    uploaded_by text NOT NULL
);
ALTER TABLE populations ADD COLUMN upload_id bigint REFERENCES population_uploads (id);
CREATE TABLE population_history (
    organization_id bigint NOT NULL REFERENCES organizations (id),
    year            integer NOT NULL,
    population      bigint NOT NULL,
    source          text NOT NULL,
    upload_id       bigint REFERENCES population_uploads (id),
    updated_at      timestamptz NOT NULL,
    updated_by      text NOT NULL,
    replaced_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX population_history_state ON population_history (organization_id, year);

-- +goose StatementBegin
CREATE FUNCTION populations_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.population IS DISTINCT FROM NEW.population OR OLD.source IS DISTINCT FROM NEW.source THEN
        INSERT INTO population_history (organization_id, year, population, source, upload_id, updated_at, updated_by)
        VALUES (OLD.organization_id, OLD.year, OLD.population, OLD.source, OLD.upload_id, OLD.updated_at, OLD.updated_by);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER populations_history AFTER UPDATE OR DELETE ON populations
    FOR EACH ROW EXECUTE FUNCTION populations_keep_history();

-- +goose Down
DROP TRIGGER populations_history ON populations;
DROP FUNCTION populations_keep_history();
DROP TABLE population_history;
ALTER TABLE populations DROP COLUMN upload_id;
DROP TABLE population_uploads;
DROP TABLE series_mappings;
DROP TABLE import_upload_rows;
DROP TABLE import_uploads;
DROP TABLE imported_figures;
DROP TABLE series_imports;
DROP TABLE areas;
DROP TABLE m49_regions;
