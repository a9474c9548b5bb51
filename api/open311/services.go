package open311

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
)

// The services are the four feedback categories (docs/domain.md).

type service struct {
	category    feedback.Category
	name        string
	description string
	keywords    string
}

// serviceGroup is every service's group.
const serviceGroup = "Phản ánh, kiến nghị"

var serviceList = []service{
	{feedback.CategoryRegulation, "Quy định hành chính",
		"Phản ánh, kiến nghị về quy định hành chính: nội dung, sự phù hợp, tính khả thi của một quy định hay thủ tục.",
		"quy định, văn bản, thủ tục hành chính"},
	{feedback.CategoryProcedure, "Giải quyết thủ tục hành chính",
		"Phản ánh về việc giải quyết thủ tục hành chính hoặc một hồ sơ cụ thể: trễ hẹn, đòi thêm giấy tờ, sai quy trình.",
		"hồ sơ, trễ hẹn, giải quyết, một cửa"},
	{feedback.CategoryConduct, "Hành vi của cán bộ, công chức",
		"Phản ánh về hành vi, thái độ của cán bộ, công chức khi hướng dẫn, tiếp nhận và giải quyết hồ sơ.",
		"cán bộ, công chức, thái độ, nhũng nhiễu"},
	{feedback.CategoryOther, "Khác",
		"Các phản ánh, kiến nghị khác về hoạt động giải quyết thủ tục hành chính.",
		"khác"},
}

func serviceOf(code string) (service, bool) {
	for _, s := range serviceList {
		if string(s.category) == code {
			return s, true
		}
	}
	return service{}, false
}

// serviceName is the name of the category's service ("" for none).
func serviceName(c feedback.Category) string {
	s, _ := serviceOf(string(c))
	return s.name
}

// servicesChangeset is when the service list last changed: the four
// categories have been the list since the facade opened.
var servicesChangeset = time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// changeset is servicesChangeset, never after now.
func (h *handler) changeset() string {
	at := servicesChangeset
	if now := h.Now(); now.Before(at) {
		at = now
	}
	return h.stamp(at)
}

const specification = "http://wiki.open311.org/GeoReport_v2"

var formats = []string{"text/xml", "application/json"}

func (h *handler) discovery(c *gin.Context, _ format, _ string) (result, error) {
	key := "Không cần api_key: ai cũng gửi được phản ánh, kiến nghị mà không cần đăng ký."
	if len(h.Keys) > 0 {
		key = "POST requests cần api_key do cơ quan cấp; liên hệ: " + h.Contact + "."
	}
	cs := h.changeset()
	url := h.baseURL(c) + Prefix
	return result{status: statusOK,
		json: discoveryJSON{Changeset: cs, Contact: h.Contact, KeyService: key, Endpoints: []endpointJSON{{
			Specification: specification, URL: url, Changeset: cs, Type: "production", Formats: formats}}},
		xml: discoveryXML{Changeset: cs, Contact: h.Contact, KeyService: key, Endpoints: []endpointXML{{
			Specification: specification, URL: url, Changeset: cs, Type: "production", Formats: formats}}},
	}, nil
}

func (h *handler) services(*gin.Context, format, string) (result, error) {
	js := make([]serviceJSON, len(serviceList))
	xs := servicesXML{Services: make([]serviceXML, len(serviceList))}
	for i, s := range serviceList {
		js[i] = serviceJSON{ServiceCode: string(s.category), ServiceName: s.name, Description: s.description,
			Metadata: true, Type: "realtime", Keywords: s.keywords, Group: serviceGroup}
		xs.Services[i] = serviceXML(js[i])
	}
	return result{status: statusOK, json: js, xml: xs}, nil
}

// attributes are the optional fields every service takes (attribute[code]).
var attributes = []attributeJSON{
	{Variable: true, Code: "title", Datatype: "string", Required: false, Order: 1,
		DatatypeDescription: "Tối đa 300 ký tự; bỏ trống: dòng đầu của description, cắt còn 120 ký tự",
		Description:         "Tiêu đề của phản ánh"},
	{Variable: true, Code: "agency_code", Datatype: "string", Required: false, Order: 2,
		DatatypeDescription: "Mã định danh của cơ quan (ví dụ 000.00.20.H99)",
		Description:         "Cơ quan được phản ánh, nếu biết"},
	{Variable: true, Code: "procedure_code", Datatype: "string", Required: false, Order: 3,
		DatatypeDescription: "Mã thủ tục hành chính",
		Description:         "Thủ tục hành chính liên quan, nếu có"},
	{Variable: true, Code: "dossier_code", Datatype: "string", Required: false, Order: 4,
		DatatypeDescription: "Mã hồ sơ in trên giấy tiếp nhận; cần kèm dossier_pin",
		Description:         "Hồ sơ liên quan, nếu có"},
	{Variable: true, Code: "dossier_pin", Datatype: "string", Required: false, Order: 5,
		DatatypeDescription: "Đúng 6 chữ số; bắt buộc khi có dossier_code",
		Description:         "Mã tra cứu của hồ sơ, in trên giấy tiếp nhận và hẹn trả kết quả"},
}

func (h *handler) serviceDefinition(_ *gin.Context, _ format, code string) (result, error) {
	if _, ok := serviceOf(code); !ok {
		return result{}, domain.NotFound("dịch vụ")
	}
	x := definitionXML{ServiceCode: code, Attributes: make([]attributeXML, len(attributes))}
	for i, a := range attributes {
		x.Attributes[i] = attributeXML(a)
	}
	return result{status: statusOK, json: definitionJSON{ServiceCode: code, Attributes: attributes}, xml: x}, nil
}
