package handlers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"portal/forms"
)

// DemoCalls are the calls a development portal starts with: views on the
// tourism sector, and crime statistics for the four years before now's.
func DemoCalls(now time.Time) []forms.Call {
	y := now.Year()
	span := strconv.Itoa(y-4) + "–" + strconv.Itoa(y-1)
	return []forms.Call{
		{
			Key: "ccpcj-tourism-views", Questionnaire: "tourism-views", Version: 1,
			Title: forms.Text{
				forms.English: "Views on cooperation against threats to the tourism sector (ECOSOC resolution 2012/19, paragraph 4)",
				forms.French:  "Vues sur la coopération contre les menaces visant le secteur du tourisme (résolution 2012/19 du Conseil économique et social, paragraphe 4)",
				forms.Spanish: "Opiniones sobre la cooperación contra las amenazas al sector del turismo (resolución 2012/19 del Consejo Económico y Social, párrafo 4)",
				forms.Russian: "Соображения о сотрудничестве в противодействии угрозам для сектора туризма (резолюция 2012/19 Экономического и Социального Совета, пункт 4)",
				forms.Arabic:  "آراء بشأن التعاون على التصدي للتهديدات التي يتعرض لها قطاع السياحة (قرار المجلس الاقتصادي والاجتماعي 2012/19، الفقرة 4)",
				forms.Chinese: "关于合作应对旅游业所受威胁的意见（经济及社会理事会第2012/19号决议第4段）",
			},
		},
		{
			Key: "crime-statistics-" + strconv.Itoa(y), Questionnaire: "crime-statistics", Version: 1,
			Years: []int{y - 4, y - 3, y - 2, y - 1},
			Title: forms.Text{
				forms.English: "Crime and criminal justice statistics, " + span,
				forms.French:  "Statistiques de la criminalité et de la justice pénale, " + span,
				forms.Spanish: "Estadísticas sobre delincuencia y justicia penal, " + span,
				forms.Russian: "Статистика преступности и уголовного правосудия, " + span + " годы",
				forms.Arabic:  "إحصاءات الجريمة والعدالة الجنائية، " + span,
				forms.Chinese: "犯罪和刑事司法统计，" + span + "年",
			},
		},
	}
}

// EnsureDemoCalls stores the demo calls that are not stored yet.
func EnsureDemoCalls(ctx context.Context, store Store, now time.Time) error {
	for _, c := range DemoCalls(now) {
		if _, err := store.EnsureCall(ctx, c); err != nil {
			return fmt.Errorf("demo call %s: %w", c.Key, err)
		}
	}
	return nil
}
